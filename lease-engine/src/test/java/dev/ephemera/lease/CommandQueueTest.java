package dev.ephemera.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class CommandQueueTest {

    @Test
    void firstInFirstOutAndRefusesWhenFull() {
        CommandQueue<Integer> queue = new CommandQueue<>(4);
        for (int i = 0; i < 4; i++) {
            assertThat(queue.offer(i)).isTrue();
        }
        assertThat(queue.offer(4)).as("full").isFalse();
        assertThat(queue.poll()).isZero();
        assertThat(queue.offer(4)).as("room again").isTrue();
        List<Integer> rest = new ArrayList<>();
        for (Integer e; (e = queue.poll()) != null; ) {
            rest.add(e);
        }
        assertThat(rest).containsExactly(1, 2, 3, 4);
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void capacityMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> new CommandQueue<>(6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manyProducersLoseNothingAndKeepTheirOwnOrder() throws Exception {
        int producers = 4;
        int each = 100_000;
        CommandQueue<long[]> queue = new CommandQueue<>(1024);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    long[] element = {producer, i};
                    while (!queue.offer(element)) {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        start.countDown();
        long[] lastSeen = {-1, -1, -1, -1};
        BitSet seen = new BitSet(producers * each);
        int received = 0;
        while (received < producers * each) {
            long[] element = queue.poll();
            if (element == null) {
                Thread.onSpinWait();
                continue;
            }
            int producer = (int) element[0];
            assertThat(element[1]).as("per-producer order").isGreaterThan(lastSeen[producer]);
            lastSeen[producer] = element[1];
            seen.set(producer * each + (int) element[1]);
            received++;
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(seen.cardinality()).isEqualTo(producers * each);
        assertThat(queue.poll()).isNull();
    }
}
