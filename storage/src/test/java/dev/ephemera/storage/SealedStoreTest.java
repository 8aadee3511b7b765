package dev.ephemera.storage;

import static dev.ephemera.storage.RocksStoreTest.bytes;
import static dev.ephemera.storage.RocksStoreTest.scan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ephemera.crypto.BarrierException;
import dev.ephemera.crypto.UnsealKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealedStoreTest {
    private static final String SECRET = "s3cr3t-Password-7f1e9c";

    @TempDir
    Path dir;

    @Test
    void valuesReadBackAfterUnsealingWithTheSameKey() {
        UnsealKey key = UnsealKey.generate();
        try (SealedStore store = SealedStore.initialize(RocksStore.open(dir), key)) {
            store.put(Keys.of("backend", "pg"), bytes(SECRET));
        }
        try (SealedStore store = SealedStore.unseal(RocksStore.open(dir), key)) {
            assertThat(store.get(Keys.of("backend", "pg"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes(SECRET)));
            assertThat(scan(store, Keys.prefix("backend"))).containsExactly("backend/pg");
        }
    }

    @Test
    void noPlaintextValueReachesTheDisk() throws IOException {
        try (SealedStore store = SealedStore.initialize(RocksStore.open(dir), UnsealKey.generate())) {
            for (int i = 0; i < 50; i++) {
                store.put(Keys.of("lease", "l" + i), bytes(SECRET));
            }
        }
        int filesRead = 0;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(latin1(Files.readAllBytes(file))).as("plaintext in %s", file).doesNotContain(SECRET);
                filesRead++;
            }
        }
        assertThat(filesRead).isPositive();
        try (RocksStore raw = RocksStore.open(dir)) {
            assertThat(raw.get(Keys.of("lease", "l0"))).hasValueSatisfying(v -> assertThat(latin1(v)).doesNotContain(SECRET));
        }
    }

    @Test
    void ciphertextCopiedUnderAnotherKeyDoesNotOpen() {
        UnsealKey key = UnsealKey.generate();
        try (SealedStore store = SealedStore.initialize(RocksStore.open(dir), key)) {
            store.put(Keys.of("backend", "prod"), bytes(SECRET));
            byte[] sealed = store.raw().get(Keys.of("backend", "prod")).orElseThrow();
            store.raw().put(Keys.of("backend", "attacker"), sealed);

            assertThatThrownBy(() -> store.get(Keys.of("backend", "attacker"))).isInstanceOf(BarrierException.class);
            assertThatThrownBy(() -> scan(store, Keys.prefix("backend"))).isInstanceOf(BarrierException.class);
            assertThat(store.get(Keys.of("backend", "prod"))).isPresent();
        }
    }

    @Test
    void wrongUnsealKeyOpensNothing() {
        try (SealedStore store = SealedStore.initialize(RocksStore.open(dir), UnsealKey.generate())) {
            store.put(Keys.of("a", "b"), bytes(SECRET));
        }
        try (RocksStore raw = RocksStore.open(dir)) {
            assertThatThrownBy(() -> SealedStore.unseal(raw, UnsealKey.generate()))
                    .isInstanceOf(BarrierException.class)
                    .hasMessage("cannot unseal: the unseal key is not the one that wrapped this keyring");
        }
    }

    @Test
    void initializationHappensOnce() {
        try (RocksStore raw = RocksStore.open(dir)) {
            assertThat(SealedStore.isInitialized(raw)).isFalse();
            assertThatThrownBy(() -> SealedStore.unseal(raw, UnsealKey.generate()))
                    .isInstanceOf(StorageException.class).hasMessage("not initialized");

            SealedStore.initialize(raw, UnsealKey.generate());

            assertThat(SealedStore.isInitialized(raw)).isTrue();
            assertThatThrownBy(() -> SealedStore.initialize(raw, UnsealKey.generate()))
                    .isInstanceOf(StorageException.class).hasMessage("already initialized");
        }
    }

    @Test
    void theReservedNamespaceIsClosedToCallers() {
        try (SealedStore store = SealedStore.initialize(RocksStore.open(dir), UnsealKey.generate())) {
            assertThatThrownBy(() -> store.put(Keys.of("core", "keyring"), bytes("overwrite")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("keys under core/ are reserved");
            assertThatThrownBy(() -> store.delete(Keys.of("core", "keyring"))).isInstanceOf(IllegalArgumentException.class);
            store.put(Keys.of("corefile"), bytes("not reserved: no separator"));
            assertThat(store.get(Keys.of("corefile"))).isPresent();
        }
    }

    /** Every byte as one char, so a byte-exact search is a substring search. */
    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
