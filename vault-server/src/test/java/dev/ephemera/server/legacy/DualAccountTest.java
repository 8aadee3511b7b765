package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.crypto.UnsealKey;
import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.rotation.DualAccountRotation;
import dev.ephemera.legacy.rotation.PostgresStaticRoleDriver;
import dev.ephemera.legacy.rotation.RotationException;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.storage.RocksStore;
import dev.ephemera.storage.SealedStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blue/green rotation against real PostgreSQL under load: a consumer that logs in again and again
 * with whatever is current never fails across 100 rotations, and each switch retires a password.
 */
class DualAccountTest {
    private static final Duration OVERLAP = Duration.ofMillis(100);
    static TestPostgres postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() {
        postgres = TestPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Test
    void aConsumerNeverSeesAFailedLoginAcrossAHundredRotations() throws Exception {
        try (SealedStore store = SealedStore.initialize(RocksStore.open(dir), UnsealKey.generate())) {
            EscrowStore escrow = new EscrowStore(store, InstantSource.system());
            String suffix = Long.toString(System.nanoTime());
            for (String role : new String[] {"app_blue_" + suffix, "app_green_" + suffix}) {
                String initial = SecretGenerator.password(24);
                postgres.createLoginRole(role, initial);
                escrow.create("default", role, "postgresql", Map.of("role", role), initial);
            }
            PostgresStaticRoleDriver driver = new PostgresStaticRoleDriver(postgres.jdbcUrl(), postgres.adminUser(),
                    postgres.adminPassword());
            DualAccountRotation dual = new DualAccountRotation(store, escrow, new Rotator(escrow, name -> driver, 3),
                    InstantSource.system(), OVERLAP);
            dual.create("default", "app", "app_blue_" + suffix, "app_green_" + suffix);

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger logins = new AtomicInteger();
            AtomicInteger failures = new AtomicInteger();
            Thread consumer = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    DualAccountRotation.Current current = dual.current("default", "app");
                    if (postgres.canLogIn(current.target().get("role"), current.password())) {
                        logins.incrementAndGet();
                    } else {
                        failures.incrementAndGet();
                    }
                }
            });
            DualAccountRotation.Current first = dual.current("default", "app");
            try {
                for (int i = 0; i < 100; i++) {
                    long wait = Duration.between(Instant.now(), dual.nextAllowed("default", "app")).toMillis();
                    if (wait > 0) {
                        Thread.sleep(wait + 1);
                    }
                    assertThat(dual.rotate("default", "app")).isInstanceOf(Rotator.Outcome.Rotated.class);
                }
            } finally {
                running.set(false);
                consumer.join();
            }

            assertThat(failures.get()).as("failed logins during 100 rotations").isZero();
            assertThat(logins.get()).isGreaterThan(100);
            assertThat(postgres.canLogIn(first.target().get("role"), first.password())).as("the first password is retired").isFalse();
            assertThatThrownBy(() -> dual.rotate("default", "app")).isInstanceOf(RotationException.class)
                    .hasMessageContaining("may be rotated from");
        }
    }
}
