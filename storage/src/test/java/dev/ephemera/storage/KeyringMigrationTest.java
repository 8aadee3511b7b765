package dev.ephemera.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.crypto.Keyring;
import dev.ephemera.crypto.UnsealKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory whose keyring is in the original format is migrated to Tink encrypted keysets
 * when it is unsealed, once, and a crash around the rewrite leaves it openable.
 * legacy-data-v1.properties holds the raw entries a SealedStore of commit c3c1c82 wrote.
 */
class KeyringMigrationTest {
    private static final byte[] KEYRING = Keys.of("core", "keyring");
    private static final Properties FIXTURE = fixture();

    @TempDir
    Path dir;

    @BeforeEach
    void writeTheLegacyDataDirectory() {
        try (RocksStore raw = RocksStore.open(dir)) {
            for (String name : FIXTURE.stringPropertyNames()) {
                if (name.startsWith("raw.")) {
                    raw.put(name.substring(4).getBytes(StandardCharsets.UTF_8), HexFormat.of().parseHex(FIXTURE.getProperty(name)));
                }
            }
        }
    }

    @Test
    void unsealingMigratesTheKeyringOnceAndKeepsEveryValueReadable() {
        try (SealedStore store = SealedStore.unseal(RocksStore.open(dir), key())) {
            assertTheFixtureReads(store);
        }
        byte[] migrated = rawKeyring();
        assertThat(Keyring.isLegacyFormat(migrated)).isFalse();

        try (SealedStore store = SealedStore.unseal(RocksStore.open(dir), key())) {
            assertTheFixtureReads(store);
        }
        assertThat(rawKeyring()).as("a migrated keyring is not rewritten again").isEqualTo(migrated);
    }

    @Test
    void aCrashBeforeTheRewriteLandsLeavesTheOriginalToMigrateNextTime() {
        try (RocksStore raw = RocksStore.open(dir)) {
            assertThatThrownBy(() -> SealedStore.unseal(new CrashingStore(raw, false), key())).isInstanceOf(Crash.class);
        }
        assertThat(Keyring.isLegacyFormat(rawKeyring())).isTrue();

        try (SealedStore store = SealedStore.unseal(RocksStore.open(dir), key())) {
            assertTheFixtureReads(store);
        }
        assertThat(Keyring.isLegacyFormat(rawKeyring())).isFalse();
    }

    @Test
    void aCrashAfterTheRewriteLandsLeavesTheMigratedKeyring() {
        try (RocksStore raw = RocksStore.open(dir)) {
            assertThatThrownBy(() -> SealedStore.unseal(new CrashingStore(raw, true), key())).isInstanceOf(Crash.class);
        }
        byte[] migrated = rawKeyring();
        assertThat(Keyring.isLegacyFormat(migrated)).isFalse();

        try (SealedStore store = SealedStore.unseal(RocksStore.open(dir), key())) {
            assertTheFixtureReads(store);
        }
        assertThat(rawKeyring()).isEqualTo(migrated);
    }

    private static void assertTheFixtureReads(SealedStore store) {
        assertThat(store.get(Keys.of("backend", "pg"))).map(v -> new String(v, StandardCharsets.UTF_8)).hasValue("s3cr3t-Password-7f1e9c");
        assertThat(store.get(Keys.of("lease", "lease_a"))).map(v -> new String(v, StandardCharsets.UTF_8)).hasValue("lease body");
        assertThat(store.tokenHasher().hashHex("eph_task_fixture")).isEqualTo(FIXTURE.getProperty("token-hash"));
    }

    private byte[] rawKeyring() {
        try (RocksStore raw = RocksStore.open(dir)) {
            return raw.get(KEYRING).orElseThrow();
        }
    }

    private static UnsealKey key() {
        return UnsealKey.fromBase64(FIXTURE.getProperty("unseal-key"));
    }

    private static Properties fixture() {
        try (InputStream in = KeyringMigrationTest.class.getResourceAsStream("legacy-data-v1.properties")) {
            Properties fixture = new Properties();
            fixture.load(in);
            return fixture;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Crash extends RuntimeException {
        Crash() {
            super("injected crash");
        }
    }

    /** Failure injection: the process "dies" at its first write, before or after the write lands. */
    private record CrashingStore(KeyValueStore delegate, boolean afterWrite) implements KeyValueStore {
        @Override
        public Optional<byte[]> get(byte[] key) {
            return delegate.get(key);
        }

        @Override
        public void write(Batch batch) {
            if (afterWrite) {
                delegate.write(batch);
            }
            throw new Crash();
        }

        @Override
        public CompletableFuture<Void> writeAsync(Batch batch) {
            throw new Crash();
        }

        @Override
        public void scan(byte[] prefix, byte[] from, ScanVisitor visitor) {
            delegate.scan(prefix, from, visitor);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
