package io.hvfabric.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MigrationCostModelTest {

    private final MigrationCostModel model = new MigrationCostModel(0.05);

    @Test
    void idleGuestIsSentOnceAndPausesForNothing() {
        var p = model.predict(1024, 0, 100, 300);
        assertThat(p.converges()).isTrue();
        assertThat(p.rounds()).isEqualTo(1);
        assertThat(p.seconds()).isCloseTo(10.24, within(1e-9));
        assertThat(p.bytes()).isCloseTo(1024.0 * 1024 * 1024, within(1.0));
        assertThat(p.downtimeMs()).isZero();
    }

    @Test
    void geometricSeriesForAHalfDirtyGuest() {
        // M = 1000 MiB, B = 100 MiB/s, D = 50 MiB/s, T = 300 ms: budget 30 MiB.
        // rounds send 1000, 500, 250, 125, 62.5, 31.25, then 15.625 ≤ 30 is the stop-and-copy (n = 6).
        var p = model.predict(1000, 50, 100, 300);
        assertThat(p.converges()).isTrue();
        assertThat(p.rounds()).isEqualTo(6);
        double sent = 1000 + 500 + 250 + 125 + 62.5 + 31.25 + 15.625;
        assertThat(p.seconds()).isCloseTo(sent / 100, within(1e-9));
        assertThat(p.downtimeMs()).isCloseTo(156.25, within(1e-9));
    }

    @Test
    void guestThatFitsInTheDowntimeGoesStraightToStopAndCopy() {
        var p = model.predict(20, 90, 100, 300);
        assertThat(p.converges()).isTrue();
        assertThat(p.rounds()).isZero();
        assertThat(p.downtimeMs()).isCloseTo(200, within(1e-9));
    }

    @Test
    void dirtyRateAtOrAboveThroughputNeverConverges() {
        var p = model.predict(1024, 120, 100, 300);
        assertThat(p.converges()).isFalse();
        assertThat(p.seconds()).isInfinite();
        assertThat(p.rounds()).isEqualTo(-1);
        assertThat(p.downtimeMs()).isCloseTo(10_240, within(1e-9)); // all memory dirty again: M / B
    }

    @Test
    void dirtyRateWithinTheMarginIsNotTrusted() {
        assertThat(model.predict(1024, 96, 100, 300).converges()).isFalse();
        assertThat(model.predict(1024, 94, 100, 300).converges()).isTrue();
    }

    @Test
    void rejectsBadInputNamingTheField() {
        assertThatThrownBy(() -> model.predict(-1, 0, 100, 300)).hasMessageContaining("memoryMib");
        assertThatThrownBy(() -> model.predict(1, Double.NaN, 100, 300)).hasMessageContaining("dirtyRateMibps");
        assertThatThrownBy(() -> model.predict(1, 0, 0, 300)).hasMessageContaining("linkMibps must be a finite number > 0");
        assertThatThrownBy(() -> model.predict(1, 0, 1, 0)).hasMessageContaining("maxDowntimeMs");
        assertThatThrownBy(() -> new MigrationCostModel(1.0)).hasMessageContaining("convergenceMargin");
    }
}
