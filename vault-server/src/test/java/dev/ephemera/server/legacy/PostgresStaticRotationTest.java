package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.crypto.UnsealKey;
import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.legacy.rotation.PostgresStaticRoleDriver;
import dev.ephemera.legacy.rotation.RotationDriver;
import dev.ephemera.legacy.rotation.RotationException;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.server.support.PostgresDatabase;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.storage.RocksStore;
import dev.ephemera.storage.SealedStore;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Escrow and rotation of a PostgreSQL static role against real PostgreSQL, with the escrow in a
 * real sealed RocksDB store: after a rotation the old password fails and the new one works; a crash
 * between "recorded" and "confirmed" loses nothing and leaves one valid current; every attempt uses
 * a new password; a target that keeps refusing leaves the secret failing, not looping.
 */
class PostgresStaticRotationTest {
    private static final AtomicInteger NEXT = new AtomicInteger();
    @RegisterExtension
    static final PostgresDatabase database = new PostgresDatabase();
    static TestPostgres postgres;

    @TempDir
    Path dir;
    UnsealKey key;
    SealedStore store;
    EscrowStore escrow;
    PostgresStaticRoleDriver driver;
    String role;

    @BeforeEach
    void escrowAnAccount() throws Exception {
        key = UnsealKey.generate();
        store = SealedStore.initialize(RocksStore.open(dir.resolve("db")), key);
        escrow = new EscrowStore(store, InstantSource.system());
        driver = new PostgresStaticRoleDriver(postgres.jdbcUrl(), postgres.adminUser(), postgres.adminPassword());
        role = "legacy_app_" + NEXT.incrementAndGet();
        String initial = SecretGenerator.password(24);
        postgres.createLoginRole(role, initial);
        escrow.create("default", role, "postgresql", Map.of("role", role), initial);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void afterARotationTheOldPasswordFailsAndTheNewOneWorks() throws Exception {
        String old = current().current().value();

        Rotator.Outcome outcome = rotator(driver, 3).rotate("default", role);

        assertThat(outcome).isInstanceOf(Rotator.Outcome.Rotated.class);
        EscrowedSecret rotated = current();
        assertThat(rotated.current().number()).isEqualTo(2);
        assertThat(rotated.previous().value()).isEqualTo(old);
        assertThat(rotated.pending()).isNull();
        assertThat(postgres.canLogIn(role, rotated.current().value())).isTrue();
        assertThat(postgres.canLogIn(role, old)).isFalse();
        assertThat(rotated.toString()).doesNotContain(rotated.current().value()).doesNotContain(old);
    }

    @Test
    void aCrashAfterTheTargetChangedIsSettledToTheNewPassword() throws Exception {
        EscrowedSecret pending = escrow.recordPending(current(), SecretGenerator.password(32));
        driver.apply(pending.target(), pending.pending().value());
        reopen(); // the crash: nothing after the apply ran

        EscrowedSecret settled = rotator(driver, 3).settle("default", role);

        assertThat(settled.pending()).isNull();
        assertThat(settled.current().value()).isEqualTo(pending.pending().value());
        assertThat(postgres.canLogIn(role, settled.current().value())).isTrue();
        assertThat(postgres.canLogIn(role, pending.current().value())).isFalse();
    }

    @Test
    void aCrashBeforeTheTargetChangedIsSettledToTheOldPassword() throws Exception {
        EscrowedSecret before = current();
        escrow.recordPending(before, SecretGenerator.password(32));
        reopen();

        EscrowedSecret settled = rotator(driver, 3).settle("default", role);

        assertThat(settled.pending()).isNull();
        assertThat(settled.current().value()).isEqualTo(before.current().value());
        assertThat(postgres.canLogIn(role, settled.current().value())).isTrue();
        // The next rotation goes on from there with a version number never used before.
        assertThat(((Rotator.Outcome.Rotated) rotator(driver, 3).rotate("default", role)).secret().current().number()).isEqualTo(3);
    }

    @Test
    void everyAttemptUsesANewPassword() throws Exception {
        List<String> tried = new ArrayList<>();
        RotationDriver flaky = failing(2, tried, false);

        Rotator.Outcome outcome = rotator(flaky, 5).rotate("default", role);

        assertThat(outcome).isInstanceOfSatisfying(Rotator.Outcome.Rotated.class, r -> assertThat(r.attempts()).isEqualTo(3));
        assertThat(new HashSet<>(tried)).hasSize(3);
        assertThat(postgres.canLogIn(role, current().current().value())).isTrue();
    }

    @Test
    void aFailureThatReachedTheTargetIsConfirmedNotRetried() throws Exception {
        List<String> tried = new ArrayList<>();
        Rotator.Outcome outcome = rotator(failing(1, tried, true), 5).rotate("default", role);

        assertThat(outcome).isInstanceOfSatisfying(Rotator.Outcome.Rotated.class, r -> assertThat(r.attempts()).isEqualTo(1));
        assertThat(current().current().value()).isEqualTo(tried.getFirst());
        assertThat(postgres.canLogIn(role, tried.getFirst())).isTrue();
    }

    @Test
    void aTargetThatKeepsRefusingLeavesTheSecretFailingAndItsPasswordValid() throws Exception {
        String old = current().current().value();
        List<String> tried = new ArrayList<>();

        Rotator.Outcome outcome = rotator(failing(Integer.MAX_VALUE, tried, false), 3).rotate("default", role);

        assertThat(outcome).isInstanceOfSatisfying(Rotator.Outcome.Failed.class, f -> assertThat(f.reason()).contains("refused"));
        assertThat(tried).hasSize(3);
        EscrowedSecret failing = current();
        assertThat(failing.status()).isEqualTo(EscrowedSecret.RotationStatus.FAILING);
        assertThat(failing.current().value()).isEqualTo(old);
        assertThat(failing.lastError()).doesNotContain(old);
        assertThat(postgres.canLogIn(role, old)).isTrue();
    }

    private Rotator rotator(RotationDriver rotationDriver, int maxAttempts) {
        return new Rotator(escrow, name -> name.equals("postgresql") ? rotationDriver : null, maxAttempts);
    }

    /** Failure injection around the real driver: the first {@code failures} applies fail, after applying when {@code reached}. */
    private RotationDriver failing(int failures, List<String> tried, boolean reached) {
        AtomicInteger calls = new AtomicInteger();
        return new RotationDriver() {
            @Override
            public void apply(Map<String, String> target, String newPassword) throws RotationException {
                tried.add(newPassword);
                if (calls.incrementAndGet() <= failures) {
                    if (reached) {
                        driver.apply(target, newPassword);
                    }
                    throw new RotationException("target refused (injected failure " + calls.get() + ")");
                }
                driver.apply(target, newPassword);
            }

            @Override
            public boolean accepts(Map<String, String> target, String password) throws RotationException {
                return driver.accepts(target, password);
            }
        };
    }

    private void reopen() {
        store.close();
        store = SealedStore.unseal(RocksStore.open(dir.resolve("db")), key);
        escrow = new EscrowStore(store, InstantSource.system());
    }

    private EscrowedSecret current() {
        return escrow.find("default", role).orElseThrow();
    }

}
