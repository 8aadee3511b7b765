package dev.ephemera.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Entry point of the Ephemera client: starts tasks with the agent's workload identity.
 * Immutable and thread-safe; create one per vault and share it.
 *
 * <pre>{@code
 * Ephemera ephemera = Ephemera.builder()
 *         .address(URI.create("http://127.0.0.1:8200"))
 *         .workloadToken(() -> readJwtFromFile())
 *         .build();
 * try (Task task = ephemera.startTask("summarise Q3 orders", Duration.ofMinutes(15))) {
 *     PostgresCredential pg = task.lease("demo", "readonly").credential(PostgresCredential.class);
 *     ...
 * }
 * }</pre>
 */
public final class Ephemera {

    /** Creating a lease creates a database role; allow for a slow backend. */
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpTransport transport;
    private final Supplier<String> workloadToken;
    private final Duration approvalWait;
    static final Duration DEFAULT_APPROVAL_WAIT = Duration.ofMinutes(10);

    private Ephemera(HttpTransport transport, Supplier<String> workloadToken, Duration approvalWait) {
        this.approvalWait = approvalWait;
        this.transport = transport;
        this.workloadToken = workloadToken;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A client for a legacy application holding a consumer grant, with default settings;
     * {@link EscrowConsumer#builder()} offers the others.
     */
    public static EscrowConsumer consumer(URI address, String consumerToken) {
        return EscrowConsumer.builder().address(address).consumerToken(consumerToken).build();
    }

    /** The server's address, always ending in {@code /}. */
    public URI address() {
        return transport.address();
    }

    /** Opens a task with the server's default TTL. */
    public Task startTask(String objective) {
        Args.requireText(objective, "objective");
        return start(objective, null);
    }

    /**
     * Opens a task for {@code objective}, valid for {@code ttl} (the server may cap it).
     *
     * @param ttl whole seconds, at least one
     */
    public Task startTask(String objective, Duration ttl) {
        Args.requireText(objective, "objective");
        return start(objective, Args.seconds(ttl, "ttl"));
    }

    /** Opens a task with its full intent: tools, data sensitivity, roles, manifest digest. */
    public Task openTask(TaskSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return open(Wire.StartTaskRequest.of(spec));
    }

    /** Accepts a sub-task another agent offered this one ({@link Task#delegate}), under this agent's identity. */
    public Task acceptDelegation(String delegationToken) {
        Args.requireText(delegationToken, "delegationToken");
        return open(Wire.StartTaskRequest.accepting(delegationToken.strip()));
    }

    private Task start(String objective, Long ttlSeconds) {
        return open(new Wire.StartTaskRequest(objective, ttlSeconds));
    }

    private Task open(Wire.StartTaskRequest request) {
        return transport.call("POST", "v1/tasks", workloadToken(), request,
                Wire.TaskBody.class, body -> new Task(transport, body.toInfo(), body.token(), approvalWait));
    }

    /**
     * Asks the supplier for a fresh token on every task start, since workload tokens rotate.
     * Surrounding whitespace is dropped: a token read from a file usually ends in a newline.
     */
    String workloadToken() {
        String token = workloadToken.get();
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("the workload token supplier returned no token");
        }
        token = token.strip();
        if (!Args.isBearerToken(token)) {
            throw new IllegalStateException("the workload token contains characters not allowed in a bearer token");
        }
        return token;
    }

    @Override
    public String toString() {
        return "Ephemera[address=" + transport.address() + "]";
    }

    /** Builds an {@link Ephemera}; {@link #address} and {@link #workloadToken} are required. */
    public static final class Builder {

        private URI address;
        private Supplier<String> workloadToken;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration approvalWait = DEFAULT_APPROVAL_WAIT;
        private HttpClient httpClient;

        private Builder() {
        }

        /**
         * The vault's base address, e.g. {@code https://vault.internal:8200}. A path is kept as
         * a prefix (for a reverse proxy); user info, query and fragment are refused.
         */
        public Builder address(URI address) {
            this.address = Args.vaultAddress(address, "workloadToken");
            return this;
        }

        /**
         * Supplies the agent's workload identity token (a JWT). Called on every
         * {@link Ephemera#startTask}, so a rotating token file is simply re-read.
         */
        public Builder workloadToken(Supplier<String> workloadToken) {
            this.workloadToken = Objects.requireNonNull(workloadToken, "workloadToken must not be null");
            return this;
        }

        /** Time allowed for each call, from sending to the reply's headers. Default 30 seconds. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Args.positive(requestTimeout, "requestTimeout");
            return this;
        }

        /**
         * How long {@link Task#lease} waits for humans when policy holds a lease for approval.
         * Default 10 minutes; after it, {@link ApprovalPendingException}.
         */
        public Builder approvalWait(Duration approvalWait) {
            this.approvalWait = Args.positive(approvalWait, "approvalWait");
            return this;
        }

        /**
         * An HttpClient of the caller's own, for TLS trust, a proxy or an executor. Optional; the
         * default uses the JDK's trust store and a connect timeout equal to the request timeout.
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient must not be null");
            return this;
        }

        /** @throws IllegalStateException if the address or the workload token supplier is missing */
        public Ephemera build() {
            if (address == null) {
                throw new IllegalStateException("address is required: call address(URI) before build()");
            }
            if (workloadToken == null) {
                throw new IllegalStateException("workloadToken is required: call workloadToken(Supplier) before build()");
            }
            HttpClient http = httpClient != null ? httpClient : HttpTransport.defaultClient(address, requestTimeout);
            return new Ephemera(new HttpTransport(address, requestTimeout, http), workloadToken, approvalWait);
        }
    }
}
