package dev.ephemera.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksStoreTest {
    @TempDir
    Path dir;

    @Test
    void putGetDelete() {
        try (RocksStore store = RocksStore.open(dir)) {
            store.put(Keys.of("lease", "a"), bytes("one"));
            assertThat(store.get(Keys.of("lease", "a"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("one")));

            store.delete(Keys.of("lease", "a"));

            assertThat(store.get(Keys.of("lease", "a"))).isEmpty();
            assertThat(store.get(Keys.of("lease", "never"))).isEmpty();
        }
    }

    @Test
    void batchAppliesEveryMutationTogether() {
        try (RocksStore store = RocksStore.open(dir)) {
            store.put(Keys.of("live", "old"), bytes("x"));

            store.write(Batch.create()
                    .put(Keys.of("lease", "n"), bytes("lease"))
                    .put(Keys.of("live", "n"), bytes("index"))
                    .delete(Keys.of("live", "old")));

            assertThat(store.get(Keys.of("lease", "n"))).isPresent();
            assertThat(store.get(Keys.of("live", "n"))).isPresent();
            assertThat(store.get(Keys.of("live", "old"))).isEmpty();
        }
    }

    @Test
    void prefixScanIsOrderedAndStopsAtTheSeparator() {
        try (RocksStore store = RocksStore.open(dir)) {
            for (String key : List.of("task/b/2", "task/a/1", "task/b/1", "task/bc/1", "task/b", "tasks/b/1")) {
                store.put(bytes(key), bytes(key));
            }

            assertThat(scan(store, Keys.prefix("task", "b"))).containsExactly("task/b/1", "task/b/2");
            assertThat(scan(store, Keys.prefix("task"))).containsExactly("task/a/1", "task/b", "task/b/1", "task/b/2", "task/bc/1");
            assertThat(scan(store, Keys.prefix("nothing"))).isEmpty();
        }
    }

    @Test
    void scanCanStartPartWayThroughAPrefix() {
        try (RocksStore store = RocksStore.open(dir)) {
            for (String key : List.of("k/a", "k/b", "k/c", "l/a")) {
                store.put(bytes(key), bytes(key));
            }
            List<String> keys = new ArrayList<>();
            store.scan(Keys.prefix("k"), bytes("k/b"), (key, value) -> keys.add(Keys.toString(key)));
            assertThat(keys).containsExactly("k/b", "k/c");
            keys.clear();
            store.scan(Keys.prefix("k"), bytes("a"), (key, value) -> keys.add(Keys.toString(key)));
            assertThat(keys).as("a start before the prefix starts at the prefix").containsExactly("k/a", "k/b", "k/c");
        }
    }

    @Test
    void scanStopsWhenTheVisitorSaysSo() {
        try (RocksStore store = RocksStore.open(dir)) {
            for (int i = 0; i < 10; i++) {
                store.put(Keys.of("k", "0" + i), bytes("v"));
            }
            List<String> seen = new ArrayList<>();
            store.scan(Keys.prefix("k"), (key, value) -> seen.add(Keys.toString(key)) && seen.size() < 3);

            assertThat(seen).containsExactly("k/00", "k/01", "k/02");
        }
    }

    @Test
    void dataSurvivesCloseAndReopen() {
        try (RocksStore store = RocksStore.open(dir)) {
            store.put(Keys.of("lease", "durable"), bytes("kept"));
        }
        try (RocksStore store = RocksStore.open(dir)) {
            assertThat(store.get(Keys.of("lease", "durable"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("kept")));
        }
    }

    @Test
    void secondOpenOfADirectoryInUseFailsClearly() {
        try (RocksStore store = RocksStore.open(dir)) {
            assertThatThrownBy(() -> RocksStore.open(dir))
                    .isInstanceOf(StorageException.class)
                    .hasMessage("data directory " + dir + " is in use by another Ephemera process");
            store.put(Keys.of("still", "usable"), bytes("yes"));
            assertThat(store.get(Keys.of("still", "usable"))).isPresent();
        }
    }

    @Test
    void closedStoreRefusesWorkAndCloseIsIdempotent() {
        RocksStore store = RocksStore.open(dir);
        store.close();
        store.close();

        assertThatThrownBy(() -> store.put(Keys.of("a", "b"), bytes("c")))
                .isInstanceOf(StorageException.class).hasMessage("the store is closed");
    }

    @Test
    void concurrentWritersShareSyncs() throws Exception {
        int threads = 8;
        int writesPerThread = 200;
        try (RocksStore store = RocksStore.open(dir); ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < writesPerThread; i++) {
                        store.put(Keys.of("w", thread + "-" + i), bytes("v"));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> writer : writers) {
                writer.get();
            }

            assertThat(scan(store, Keys.prefix("w"))).hasSize(threads * writesPerThread);
            assertThat(store.syncCount()).as("synced writes for %d batches", threads * writesPerThread)
                    .isLessThan(threads * writesPerThread);
        }
    }

    @Test
    void asyncWritesCompleteOnceDurable() {
        try (RocksStore store = RocksStore.open(dir)) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                writes.add(store.writeAsync(Batch.create().put(Keys.of("a", Integer.toString(i)), bytes("v"))));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();

            assertThat(scan(store, Keys.prefix("a"))).hasSize(100);
        }
    }

    static List<String> scan(KeyValueStore store, byte[] prefix) {
        List<String> keys = new ArrayList<>();
        store.scan(prefix, (key, value) -> keys.add(Keys.toString(key)));
        return keys;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
