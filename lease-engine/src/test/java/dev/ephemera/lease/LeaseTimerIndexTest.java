package dev.ephemera.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.lease.wheel.TimerWheel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LeaseTimerIndexTest {
    private final TimerWheel wheel = new TimerWheel(0, 16);
    private final LeaseTimerIndex index = new LeaseTimerIndex();

    @Test
    void findsAndForgetsTimersByLeaseId() {
        long a = wheel.schedule(10);
        long b = wheel.schedule(20);
        index.put("lease_a", a);
        index.put("lease_b", b);

        assertThat(index.handleOf("lease_a")).isEqualTo(a);
        assertThat(index.handleOf("lease_b")).isEqualTo(b);
        assertThat(index.handleOf("lease_c")).isZero();
        assertThat(index.remove("lease_a")).isEqualTo(a);
        assertThat(index.remove("lease_a")).isZero();
        assertThat(index.handleOf("lease_a")).isZero();
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void firedTimersNameTheirLease() {
        long handle = wheel.schedule(5);
        index.put("lease_fired", handle);
        List<String> fired = new ArrayList<>();

        wheel.advance(5, 10, (h, d) -> fired.add(index.removeFired(h)));

        assertThat(fired).containsExactly("lease_fired");
        assertThat(index.size()).isZero();
        assertThat(index.handleOf("lease_fired")).isZero();
    }

    @Test
    void aReusedSlotCarriesItsNewLease() {
        long first = wheel.schedule(5);
        index.put("lease_first", first);
        wheel.cancel(index.remove("lease_first"));
        long second = wheel.schedule(6);
        index.put("lease_second", second);

        assertThat(TimerWheel.slotOf(second)).isEqualTo(TimerWheel.slotOf(first));
        assertThat(index.handleOf("lease_first")).isZero();
        assertThat(index.handleOf("lease_second")).isEqualTo(second);
    }

    @Test
    void agreesWithAPlainMapThroughChurn() {
        java.util.Map<String, Long> model = new java.util.HashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        List<String> ids = new ArrayList<>();
        for (int op = 0; op < 200_000; op++) {
            if (ids.isEmpty() || random.nextInt(3) > 0) {
                String id = SecretGenerator.identifier("lease_");
                long handle = wheel.schedule(1_000_000 + op);
                index.put(id, handle);
                model.put(id, handle);
                ids.add(id);
            } else {
                int i = random.nextInt(ids.size());
                String id = ids.get(i);
                ids.set(i, ids.getLast());
                ids.removeLast();
                long handle = index.remove(id);
                assertThat(handle).isEqualTo(model.remove(id));
                wheel.cancel(handle);
            }
        }
        assertThat(index.size()).isEqualTo(model.size());
        model.forEach((id, handle) -> assertThat(index.handleOf(id)).isEqualTo(handle));
    }

    @Test
    void costsUnder100BytesPerLease() {
        TimerWheel big = new TimerWheel(0, 1_000_000);
        for (int i = 0; i < 1_000_000; i++) {
            index.put(SecretGenerator.identifier("lease_"), big.schedule(1_000 + i));
        }
        assertThat(index.footprintBytes() / 1_000_000.0).isLessThan(100);
    }

    @Test
    void onlyShortAsciiIdsFit() {
        assertThat(LeaseTimerIndex.fits(SecretGenerator.identifier("lease_"))).isTrue();
        assertThat(LeaseTimerIndex.fits("x".repeat(LeaseTimerIndex.MAX_ID_LENGTH + 1))).isFalse();
        assertThat(LeaseTimerIndex.fits("lease_é")).isFalse();
    }
}
