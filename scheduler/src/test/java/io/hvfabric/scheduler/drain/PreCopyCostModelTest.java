package io.hvfabric.scheduler.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PreCopyCostModelTest {

    private final PreCopyCostModel model = new PreCopyCostModel(Duration.ofMillis(300), 30);

    /** 8388.608 Mbps is exactly 1000 MiB/s, which keeps the arithmetic readable. */
    private static final long MBPS_1000_MIB = 8_389;

    @Test
    void idleGuestIsOneFullCopyWithNoDowntime() {
        MoveCost cost = model.predict(4_096, 0, MBPS_1000_MIB);

        assertThat(cost.converges()).isTrue();
        assertThat(cost.rounds()).isEqualTo(1);
        assertThat(cost.precopySeconds()).isCloseTo(4_096 / PreCopyCostModel.mibPerSecond(MBPS_1000_MIB), within(1e-9));
        assertThat(cost.downtimeSeconds()).isZero();
        assertThat(cost.transferredMib()).isCloseTo(4_096, within(1e-9));
    }

    @Test
    void remainderShrinksGeometricallyByDirtyRateOverBandwidth() {
        double bandwidth = PreCopyCostModel.mibPerSecond(MBPS_1000_MIB);
        double dirty = bandwidth / 2; // each round sends half the previous one
        MoveCost cost = model.predict(8_192, dirty, MBPS_1000_MIB);

        // Rounds send 8192, 4096, 2048, 1024, 512 MiB; then 256 MiB fits in 300 ms at ~1000 MiB/s.
        assertThat(cost.converges()).isTrue();
        assertThat(cost.rounds()).isEqualTo(5);
        assertThat(cost.precopySeconds()).isCloseTo((8_192 + 4_096 + 2_048 + 1_024 + 512) / bandwidth, within(1e-6));
        assertThat(cost.downtimeSeconds()).isCloseTo(256 / bandwidth, within(1e-6));
        assertThat(cost.transferredMib()).isCloseTo(8_192 * 2 - 256, within(1e-6));
    }

    @Test
    void smallGuestGoesStraightToStopAndCopy() {
        MoveCost cost = model.predict(128, 50, MBPS_1000_MIB);

        assertThat(cost.rounds()).isZero();
        assertThat(cost.converges()).isTrue();
        assertThat(cost.downtimeSeconds()).isLessThanOrEqualTo(0.3);
    }

    @Test
    void dirtyRateAtOrAboveBandwidthNeverConverges() {
        double bandwidth = PreCopyCostModel.mibPerSecond(MBPS_1000_MIB);
        MoveCost cost = model.predict(4_096, bandwidth * 1.2, MBPS_1000_MIB);

        assertThat(cost.converges()).isFalse();
        assertThat(cost.rounds()).isEqualTo(30);
        assertThat(cost.downtimeSeconds()).isGreaterThan(0.3);
    }

    @Test
    void convergenceTooSlowForTheRoundLimitIsReportedAsNotConverging() {
        double bandwidth = PreCopyCostModel.mibPerSecond(MBPS_1000_MIB);
        MoveCost cost = new PreCopyCostModel(Duration.ofMillis(300), 3).predict(16_384, bandwidth * 0.95, MBPS_1000_MIB);

        assertThat(cost.converges()).isFalse();
        assertThat(cost.rounds()).isEqualTo(3);
    }

    @Test
    void moreBandwidthIsNeverSlower() {
        double previous = Double.MAX_VALUE;
        for (long mbps = 1_000; mbps <= 40_000; mbps += 1_000) {
            double t = model.predict(8_192, 100, mbps).totalSeconds();
            assertThat(t).isLessThanOrEqualTo(previous);
            previous = t;
        }
    }

    @Test
    void rejectsBadInputNamingTheField() {
        assertThatThrownBy(() -> model.predict(-1, 0, 1_000)).hasMessageContaining("memoryMib");
        assertThatThrownBy(() -> model.predict(1, -1, 1_000)).hasMessageContaining("dirtyRateMibps");
        assertThatThrownBy(() -> model.predict(1, 0, 0)).hasMessageContaining("bandwidthMbps");
        assertThatThrownBy(() -> new PreCopyCostModel(Duration.ZERO, 3)).hasMessageContaining("maxDowntime");
        assertThatThrownBy(() -> new PreCopyCostModel(Duration.ofMillis(1), 0)).hasMessageContaining("maxRounds");
    }
}
