package dev.ephemera.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The client of a legacy application that holds a consumer grant on escrowed secrets: reads the
 * current version of a secret, or {@linkplain #watch watches} it across rotations. Immutable and
 * thread-safe; the consumer token never leaves this object.
 *
 * <pre>{@code
 * EscrowConsumer consumer = Ephemera.consumer(URI.create("https://vault.internal:8200"), token);
 * try (SecretWatcher watcher = consumer.watch("orders-db", version -> reconfigure(version))) {
 *     ...
 * }
 * }</pre>
 */
public final class EscrowConsumer {

    /** How long one long poll may be held by the server; it allows at most two minutes. */
    static final Duration DEFAULT_POLL_WAIT = Duration.ofSeconds(60);
    static final Duration MAX_POLL_WAIT = Duration.ofMinutes(2);

    private final HttpTransport transport;
    private final String token;
    private final Duration pollWait;
    private final Backoff backoff;

    private EscrowConsumer(HttpTransport transport, String token, Duration pollWait, Backoff backoff) {
        this.transport = transport;
        this.token = token;
        this.pollWait = pollWait;
        this.backoff = backoff;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The server's address, always ending in {@code /}. */
    public URI address() {
        return transport.address();
    }

    /**
     * Reads the secret's current version once.
     *
     * @throws AuthenticationException if the consumer token is not valid or was withdrawn
     * @throws NotFoundException       if the grant is not for this secret, or was withdrawn
     */
    public SecretVersion current(String secretId) {
        return transport.call("GET", path(secretId), token, null, Wire.CurrentBody.class, Wire.CurrentBody::toVersion);
    }

    /** Starts watching the secret; add listeners, or use {@link SecretWatcher#current()} and {@link SecretWatcher#latest()}. */
    public SecretWatcher watch(String secretId) {
        Args.pathSegment(secretId, "secretId"); // refused here rather than on the watcher's thread
        return SecretWatcher.start(this, secretId, backoff);
    }

    /**
     * Starts watching the secret and calls {@code listener} with its current version, then with
     * every newer one, on the watcher's thread.
     */
    public SecretWatcher watch(String secretId, Consumer<? super SecretVersion> listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        return watch(secretId).addListener(listener);
    }

    /** Time the watcher allows its thread for the first version; a long poll is not counted. */
    Duration requestTimeout() {
        return transport.timeout();
    }

    /** One answer to a long poll: the newer version, or none (HTTP 304); and the tag to ask with next. */
    record Poll(SecretVersion version, String etag) {
    }

    /** Asks for the version after the one tagged {@code etag} (null: the current one), waiting up to the poll wait. */
    Poll poll(String secretId, String etag) {
        String path = path(secretId) + "?wait=" + pollWait.toSeconds() + "s";
        HttpTransport.Reply reply = transport.conditionalGet(path, token, etag, pollWait);
        if (reply.status() == 304) {
            return new Poll(null, reply.etag() != null ? reply.etag() : etag);
        }
        SecretVersion version = Responses.read(reply.status(), reply.body(), Wire.CurrentBody.class,
                Wire.CurrentBody::toVersion, "GET /" + path);
        // The server's own tag when it sends one, so that a change of its format cannot make every poll answer at once.
        return new Poll(version, reply.etag() != null ? reply.etag() : "\"v" + version.version() + "\"");
    }

    private static String path(String secretId) {
        return "v1/escrow/" + Args.pathSegment(secretId, "secretId") + "/current";
    }

    @Override
    public String toString() {
        return "EscrowConsumer[address=" + transport.address() + "]";
    }

    /** Builds an {@link EscrowConsumer}; {@link #address} and {@link #consumerToken} are required. */
    public static final class Builder {

        private URI address;
        private String token;
        private Duration requestTimeout = Ephemera.DEFAULT_REQUEST_TIMEOUT;
        private Duration pollWait = DEFAULT_POLL_WAIT;
        private Backoff backoff = Backoff.DEFAULT;
        private HttpClient httpClient;

        private Builder() {
        }

        /** The vault's base address, as for {@link Ephemera.Builder#address}. */
        public Builder address(URI address) {
            this.address = Args.vaultAddress(address, "consumerToken");
            return this;
        }

        /** The token an admin received when granting this consumer ({@code POST /v1/escrow/{id}/consumers}, once approved). */
        public Builder consumerToken(String consumerToken) {
            Objects.requireNonNull(consumerToken, "consumerToken must not be null");
            // Stripped: a token read from a file usually ends in a newline.
            String stripped = consumerToken.strip();
            if (!Args.isBearerToken(stripped)) {
                throw new IllegalArgumentException("consumerToken is empty or contains characters not allowed in a bearer token");
            }
            this.token = stripped;
            return this;
        }

        /** Time allowed for each call, not counting how long the server holds a long poll. Default 30 seconds. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Args.positive(requestTimeout, "requestTimeout");
            return this;
        }

        /**
         * How long the server may hold a watcher's request before answering "no change": whole
         * seconds, at most two minutes. Default 60 seconds. A grant withdrawn meanwhile ends the
         * wait at once (HTTP 401).
         */
        public Builder pollWait(Duration pollWait) {
            Args.seconds(pollWait, "pollWait");
            if (pollWait.compareTo(MAX_POLL_WAIT) > 0) {
                throw new IllegalArgumentException("pollWait must be at most " + MAX_POLL_WAIT + ", got " + pollWait);
            }
            this.pollWait = pollWait;
            return this;
        }

        /**
         * How a watcher waits between attempts while the vault is unreachable: from {@code initial},
         * doubling up to {@code max}, each with jitter. Default 250 ms up to 30 seconds.
         */
        public Builder retryBackoff(Duration initial, Duration max) {
            this.backoff = new Backoff(initial, max);
            return this;
        }

        /** An HttpClient of the caller's own, as for {@link Ephemera.Builder#httpClient}. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient must not be null");
            return this;
        }

        /** @throws IllegalStateException if the address or the consumer token is missing */
        public EscrowConsumer build() {
            if (address == null) {
                throw new IllegalStateException("address is required: call address(URI) before build()");
            }
            if (token == null) {
                throw new IllegalStateException("consumerToken is required: call consumerToken(String) before build()");
            }
            HttpClient http = httpClient != null ? httpClient : HttpTransport.defaultClient(address, requestTimeout);
            return new EscrowConsumer(new HttpTransport(address, requestTimeout, http), token, pollWait, backoff);
        }
    }
}
