package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.client.AuthenticationException;
import dev.ephemera.client.EphemeraException;
import dev.ephemera.client.EscrowConsumer;
import dev.ephemera.client.NotFoundException;
import dev.ephemera.client.RotatingDataSource;
import dev.ephemera.client.SecretFileSink;
import dev.ephemera.client.SecretFormat;
import dev.ephemera.client.SecretVersion;
import dev.ephemera.client.SecretWatcher;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.support.Eventually;
import dev.ephemera.server.support.PoolUnderLoad;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer side of client-java against the real server and PostgreSQL: a watcher follows
 * rotations and stops when its grant is withdrawn, a file sink replaces its file atomically and
 * runs a hook that never sees the secret, and a HikariCP pool over {@link RotatingDataSource}
 * serves queries across rotations without a single failure.
 */
class ConsumerClientTest {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final Duration PROMPTLY = Duration.ofSeconds(2);
    /** Patience for queries to go through on a machine another build is loading. */
    private static final Duration SERVED = Duration.ofSeconds(20);

    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;

    @Test
    void aWatcherSeesTheCurrentVersionThenEachRotation() throws Exception {
        String role = newEscrowedRole();
        List<SecretVersion> seen = new CopyOnWriteArrayList<>();
        try (SecretWatcher watcher = consumer(grant(role)).watch(role, seen::add)) {
            Eventually.within(PROMPTLY, "the current version", () -> seen.size() == 1);
            assertThat(seen.getFirst().version()).isEqualTo(2);
            assertThat(seen.getFirst().username()).isEqualTo(role);
            for (int expected = 3; expected <= 5; expected++) {
                rotate(role);
                int version = expected;
                Eventually.within(PROMPTLY, "version " + version, () -> seen.getLast().version() == version);
            }
            assertThat(seen).extracting(SecretVersion::version).containsExactly(2, 3, 4, 5);

            SecretVersion latest = watcher.latest().orElseThrow();
            assertThat(postgres.canLogIn(role, latest.value())).isTrue();
            assertThat(latest.toString()).doesNotContain(latest.value()).contains("value=***");
            assertThat(watcher.awaitVersionAfter(5, Duration.ofMillis(200))).isEmpty();
            rotate(role);
            assertThat(watcher.awaitVersionAfter(5, PROMPTLY)).hasValueSatisfying(next -> assertThat(next.version()).isEqualTo(6));

            List<SecretVersion> late = new CopyOnWriteArrayList<>();
            watcher.addListener(late::add);
            assertThat(late).extracting(SecretVersion::version).containsExactly(6);
        }
    }

    @Test
    void aWithdrawnConsumerStopsItsWatcherWithAClearError() throws Exception {
        String role = newEscrowedRole();
        JsonNode grant = grant(role);
        EscrowConsumer consumer = EscrowConsumer.builder().address(vault.address()).consumerToken(grant.get("token").asText())
                .pollWait(Duration.ofSeconds(1)).build();
        AtomicReference<EphemeraException> stopped = new AtomicReference<>();
        try (SecretWatcher watcher = consumer.watch(role).onFailure(stopped::set)) {
            assertThat(watcher.current().version()).isEqualTo(2);
            vault.call("DELETE", "/v1/escrow/" + role + "/consumers/" + grant.get("consumer_id").asText(), vault.adminToken(), null)
                    .expect(204);

            Eventually.within(Duration.ofSeconds(4), "the watcher stops", () -> stopped.get() != null);
            assertThat(stopped.get()).isInstanceOfAny(AuthenticationException.class, NotFoundException.class);
            assertThat(watcher.isRunning()).isFalse();
            assertThatThrownBy(watcher::current).isSameAs(stopped.get());
            assertThatThrownBy(() -> watcher.awaitVersionAfter(2, PROMPTLY)).isSameAs(stopped.get());
            assertThat(watcher.latest()).as("the last version stays readable").isPresent();
            assertThatThrownBy(() -> consumer.current(role)).isInstanceOf(stopped.get().getClass());
        }
    }

    @Test
    void aWrongTokenIsAnAuthenticationErrorAndAnotherSecretsTokenFindsNothing() throws Exception {
        String role = newEscrowedRole();
        EscrowConsumer stranger = consumer("not-a-consumer-token");
        assertThatThrownBy(() -> stranger.current(role)).isInstanceOf(AuthenticationException.class)
                .satisfies(e -> assertThat(((EphemeraException) e).status()).isEqualTo(401));
        try (SecretWatcher watcher = stranger.watch(role)) {
            assertThatThrownBy(watcher::current).isInstanceOf(AuthenticationException.class);
        }
        EscrowConsumer neighbour = consumer(grant(newEscrowedRole()));
        assertThatThrownBy(() -> neighbour.current(role)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aFileSinkReplacesItsOwnerOnlyFileAtomicallyAndItsHookNeverSeesTheSecret(@TempDir Path dir) throws Exception {
        String role = newEscrowedRole();
        Path file = dir.resolve("db.env");
        Path marker = dir.resolve("hook.log");
        // The hook writes down its arguments and its whole environment, to show the secret is in neither.
        SecretFileSink sink = SecretFileSink.builder(file).format(SecretFormat.keyValue("DB_USER", "DB_PASSWORD"))
                .hook(List.of("sh", "-c", "{ echo \"version=$EPHEMERA_SECRET_VERSION args=$*\"; env; } >> \"$0\"", marker.toString()),
                        Duration.ofSeconds(5))
                .build();
        AtomicBoolean reading = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        Thread reader = Thread.ofPlatform().start(() -> {
            while (reading.get()) {
                try {
                    String content = Files.readString(file);
                    reads.incrementAndGet();
                    if (!content.matches("DB_USER=" + role + "\nDB_PASSWORD=[^\n]+\n")) {
                        torn.add(content.length() + " chars");
                    }
                } catch (NoSuchFileException notYet) {
                    Thread.onSpinWait();
                } catch (java.io.IOException e) {
                    torn.add(e.toString());
                }
            }
        });
        List<String> values = new CopyOnWriteArrayList<>();
        try (SecretWatcher watcher = consumer(grant(role)).watch(role)) {
            watcher.addListener(version -> values.add(version.value())).addListener(sink);
            for (int version = 3; version <= 5; version++) {
                Eventually.within(PROMPTLY, "the hook ran for version " + (version - 1),
                        hookRanFor(marker, version - 1));
                rotate(role);
            }
            Eventually.within(PROMPTLY, "the hook ran for version 5", hookRanFor(marker, 5));
        } finally {
            reading.set(false);
            reader.join();
        }

        assertThat(torn).as("a reader only ever sees a whole file").isEmpty();
        assertThat(reads.get()).isPositive();
        assertThat(Files.readString(file)).isEqualTo("DB_USER=" + role + "\nDB_PASSWORD=" + values.getLast() + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString())).as("no temporary file is left behind")
                    .containsExactlyInAnyOrder("db.env", "hook.log");
        }
        String hookSaw = Files.readString(marker);
        assertThat(hookSaw).contains("EPHEMERA_SECRET_FILE=" + file.toAbsolutePath(), "EPHEMERA_SECRET_ID=" + role);
        assertThat(values).hasSize(4);
        for (String value : values) {
            assertThat(hookSaw).doesNotContain(value);
        }
    }

    /**
     * The acceptance case: a pool of four serves queries from six threads while the secret is
     * rotated twenty times and each rotation soft-evicts the pool, so new physical connections
     * keep logging in while passwords change. Not one query may fail.
     */
    @Test
    void aHikariPoolOverARotatingDataSourceServesEveryQueryAcrossTwentyRotations() throws Exception {
        String role = newEscrowedRole();
        int rotations = 20;
        try (SecretWatcher watcher = consumer(grant(role)).watch(role)) {
            RotatingDataSource rotating = new RotatingDataSource(postgres.jdbcUrl(), watcher);
            try (PoolUnderLoad load = PoolUnderLoad.start("rotating-" + role, rotating, 6)) {
                for (int i = 1; i <= rotations; i++) {
                    rotate(role);
                    int rotated = i;
                    Eventually.within(SERVED, "rotation " + rotated + " reached the pool and queries ran after it",
                            () -> load.evictions() >= rotated && load.queriesSinceEviction() >= 30);
                }
                Eventually.within(PROMPTLY, "every rotation reported", () -> load.evictions() == rotations);
                Eventually.within(SERVED, "connections opened after the last rotation serve queries too",
                        () -> load.queriesSinceEviction() >= 200);
                PoolUnderLoad.Result result = load.stop();

                System.out.printf("consumer pool: %d queries, %d rotations, %d failures%n", result.queries(), rotations,
                        result.failures().size());
                assertThat(result.failures()).as("failed queries").isEmpty();
                assertThat(result.queries()).isGreaterThan(500);
                assertThat(result.users()).containsExactly(role);
                assertThat(watcher.latest().orElseThrow().version()).isEqualTo(2 + rotations);
                try (Connection c = load.pool().getConnection()) {
                    assertThat(c.isValid(1)).isTrue();
                }
            }
        }
    }

    private static Eventually.Condition hookRanFor(Path marker, int version) {
        return () -> Files.exists(marker) && Files.readString(marker).contains("version=" + version + " ");
    }

    private static EscrowConsumer consumer(JsonNode grant) {
        return consumer(grant.get("token").asText());
    }

    private static EscrowConsumer consumer(String token) {
        return EscrowConsumer.builder().address(vault.address()).consumerToken(token).pollWait(Duration.ofSeconds(5)).build();
    }

    private static JsonNode grant(String secretId) {
        return vault.approved("POST", "/v1/escrow/" + secretId + "/consumers", Map.of("name", "legacy-app"))
                .expect(201).json();
    }

    private static void rotate(String secretId) {
        vault.call("POST", "/v1/escrow/" + secretId + "/rotate", vault.adminToken(), null).expect(200);
    }

    private static String newEscrowedRole() throws SQLException {
        String role = "consumer_" + NEXT.incrementAndGet();
        String initial = SecretGenerator.password(24);
        postgres.createLoginRole(role, initial);
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", role, "backend", "pg", "account", role, "value", initial))
                .expect(201);
        return role;
    }
}
