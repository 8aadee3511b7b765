package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.crypto.UnsealKey;
import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.rotation.PostgresStaticRoleDriver;
import dev.ephemera.legacy.rotation.RotationSchedule;
import dev.ephemera.legacy.rotation.RotationScheduler;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.server.support.PostgresDatabase;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.storage.RocksStore;
import dev.ephemera.storage.SealedStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduled rotation of real PostgreSQL roles on a hand-driven clock: accounts whose slots
 * coincide rotate one at a time, a gap apart; rotate-now goes first; every rotation leaves the new
 * password working.
 */
class RotationSchedulerTest {
    private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
    @RegisterExtension
    static final PostgresDatabase database = new PostgresDatabase();
    static TestPostgres postgres;

    @TempDir
    Path dir;

    @Test
    void accountsDueTogetherRotateOneAtATimeAndRotateNowGoesFirst() throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(START);
        InstantSource clock = now::get;
        try (SealedStore store = SealedStore.initialize(RocksStore.open(dir), UnsealKey.generate())) {
            EscrowStore escrow = new EscrowStore(store, clock);
            PostgresStaticRoleDriver driver = new PostgresStaticRoleDriver(postgres.jdbcUrl(), postgres.adminUser(),
                    postgres.adminPassword());
            Rotator rotator = new Rotator(escrow, name -> driver, 3);
            RotationScheduler scheduler = new RotationScheduler(rotator, clock, Duration.ofSeconds(2));
            List<String> roles = List.of("sched_a_" + System.nanoTime(), "sched_b_" + System.nanoTime(), "sched_c_" + System.nanoTime());
            for (String role : roles) {
                String initial = SecretGenerator.password(24);
                postgres.createLoginRole(role, initial);
                escrow.create("default", role, "postgresql", Map.of("role", role), initial);
                scheduler.schedule(new RotationScheduler.Entry("default", role), RotationSchedule.every(Duration.ofHours(1)), START);
            }

            assertThat(scheduler.tick()).as("nothing due before the period").isEmpty();
            now.set(START.plus(Duration.ofHours(1)));
            assertThat(scheduler.tick()).as("three due at once: one runs").hasSize(1);
            assertThat(scheduler.tick()).as("the next waits for the gap").isEmpty();
            now.set(now.get().plusSeconds(2));
            assertThat(scheduler.tick()).hasSize(1);

            scheduler.rotateNow(new RotationScheduler.Entry("default", roles.get(0)));
            now.set(now.get().plusSeconds(2));
            List<Rotator.Outcome> next = scheduler.tick();
            assertThat(next).hasSize(1);
            assertThat(next.getFirst().secret().id()).as("rotate-now before the one still due").isEqualTo(roles.get(0));
            now.set(now.get().plusSeconds(2));
            assertThat(scheduler.tick()).hasSize(1);
            assertThat(scheduler.nextDue()).isAfter(now.get().plus(Duration.ofMinutes(59)));

            for (String role : roles) {
                var secret = escrow.find("default", role).orElseThrow();
                assertThat(secret.current().number()).isGreaterThanOrEqualTo(2);
                assertThat(postgres.canLogIn(role, secret.current().value())).isTrue();
                assertThat(postgres.canLogIn(role, secret.previous().value())).isFalse();
            }
        }
    }

}
