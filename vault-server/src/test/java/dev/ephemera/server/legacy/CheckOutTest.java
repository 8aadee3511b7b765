package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.crypto.UnsealKey;
import dev.ephemera.legacy.checkout.AccountLibrary;
import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.rotation.PostgresStaticRoleDriver;
import dev.ephemera.legacy.rotation.RotationException;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.server.support.PostgresDatabase;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.storage.RocksStore;
import dev.ephemera.storage.SealedStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Check-out of PostgreSQL service accounts against real PostgreSQL: exclusive holds, a clear answer
 * when none is free, and a dead password after every check-in (explicit, forced or expired).
 */
class CheckOutTest {
    private static final AtomicInteger NEXT = new AtomicInteger();
    @RegisterExtension
    static final PostgresDatabase database = new PostgresDatabase();
    static TestPostgres postgres;

    @TempDir
    Path dir;
    SealedStore store;
    AccountLibrary library;
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-23T10:00:00Z"));
    final List<String> accounts = new ArrayList<>();

    @BeforeEach
    void library() throws Exception {
        InstantSource clock = now::get;
        store = SealedStore.initialize(RocksStore.open(dir), UnsealKey.generate());
        EscrowStore escrow = new EscrowStore(store, clock);
        PostgresStaticRoleDriver driver = new PostgresStaticRoleDriver(postgres.jdbcUrl(), postgres.adminUser(), postgres.adminPassword());
        for (int i = 0; i < 2; i++) {
            String role = "pool_" + NEXT.incrementAndGet() + "_" + i;
            String initial = SecretGenerator.password(24);
            postgres.createLoginRole(role, initial);
            escrow.create("default", role, "postgresql", Map.of("role", role), initial);
            accounts.add(role);
        }
        library = new AccountLibrary(store, escrow, new Rotator(escrow, name -> driver, 3), clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void twoTasksNeverHoldTheSameAccountAndAThirdHearsWhenOneFrees() {
        var first = (AccountLibrary.Outcome.Granted) library.checkOut("default", "reports", accounts, "task_1", Duration.ofMinutes(30));
        var second = (AccountLibrary.Outcome.Granted) library.checkOut("default", "reports", accounts, "task_2", Duration.ofMinutes(10));

        assertThat(first.checkOut().account()).isNotEqualTo(second.checkOut().account());
        var third = library.checkOut("default", "reports", accounts, "task_3", Duration.ofMinutes(5));
        assertThat(third).isInstanceOfSatisfying(AccountLibrary.Outcome.NoneFree.class, none -> {
            assertThat(none.accounts()).isEqualTo(2);
            assertThat(none.nextFree()).isEqualTo(second.checkOut().until());
        });
        assertThat(first.toString()).doesNotContain(first.password());
    }

    @Test
    void theCheckedOutPasswordIsDeadAfterCheckIn() throws Exception {
        var granted = (AccountLibrary.Outcome.Granted) library.checkOut("default", "reports", accounts, "task_1", Duration.ofMinutes(30));
        String account = granted.checkOut().account();
        assertThat(postgres.canLogIn(account, granted.password())).isTrue();

        assertThatThrownBy(() -> library.checkIn("default", account, "task_2")).isInstanceOf(RotationException.class)
                .hasMessageContaining("held by someone else");
        assertThat(library.checkIn("default", account, "task_1")).isInstanceOf(Rotator.Outcome.Rotated.class);

        assertThat(postgres.canLogIn(account, granted.password())).isFalse();
        assertThat(library.holder("default", account)).isEmpty();
        var again = (AccountLibrary.Outcome.Granted) library.checkOut("default", "reports", List.of(account), "task_2", Duration.ofMinutes(5));
        assertThat(again.password()).isNotEqualTo(granted.password());
        assertThat(postgres.canLogIn(account, again.password())).isTrue();
    }

    @Test
    void anAdminForceCheckInAndAnExpiredCheckOutBothKillThePassword() throws Exception {
        var forced = (AccountLibrary.Outcome.Granted) library.checkOut("default", "reports", accounts, "task_1", Duration.ofMinutes(30));
        var expiring = (AccountLibrary.Outcome.Granted) library.checkOut("default", "reports", accounts, "task_2", Duration.ofMinutes(1));

        library.checkIn("default", forced.checkOut().account(), null); // an admin does not name the holder
        assertThat(library.checkInExpired("default", accounts)).as("nothing expired yet").isEmpty();
        now.set(now.get().plus(Duration.ofMinutes(2)));
        assertThat(library.checkInExpired("default", accounts)).containsExactly(expiring.checkOut().account());

        assertThat(postgres.canLogIn(forced.checkOut().account(), forced.password())).isFalse();
        assertThat(postgres.canLogIn(expiring.checkOut().account(), expiring.password())).isFalse();
    }

}
