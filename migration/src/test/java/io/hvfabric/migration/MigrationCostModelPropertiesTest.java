package io.hvfabric.migration;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;

class MigrationCostModelPropertiesTest {

    private static final double EPS = 0.05;
    private final MigrationCostModel model = new MigrationCostModel(EPS);

    @Provide
    Arbitrary<Double> rates() {
        return Arbitraries.doubles().between(0, 20_000);
    }

    private static boolean atLeast(double bigger, double smaller) {
        return bigger >= smaller * (1 - 1e-12) || Double.isInfinite(bigger);
    }

    @Property(tries = 1000)
    void costGrowsWithDirtyRate(@ForAll @LongRange(min = 1, max = 1_048_576) long memoryMib,
            @ForAll("rates") double d1, @ForAll("rates") double d2,
            @ForAll @DoubleRange(min = 1, max = 20_000) double link,
            @ForAll @LongRange(min = 1, max = 10_000) long downtimeMs) {
        double lo = Math.min(d1, d2);
        double hi = Math.max(d1, d2);
        var a = model.predict(memoryMib, lo, link, downtimeMs);
        var b = model.predict(memoryMib, hi, link, downtimeMs);
        assertThat(atLeast(b.seconds(), a.seconds())).as("seconds %s vs %s", b.seconds(), a.seconds()).isTrue();
        assertThat(atLeast(b.bytes(), a.bytes())).isTrue();
        if (b.converges()) {
            assertThat(a.converges()).as("converging at a higher dirty rate implies converging at a lower one").isTrue();
        }
    }

    @Property(tries = 1000)
    void costGrowsWithMemory(@ForAll @LongRange(min = 1, max = 1_048_576) long m1,
            @ForAll @LongRange(min = 1, max = 1_048_576) long m2, @ForAll("rates") double dirty,
            @ForAll @DoubleRange(min = 1, max = 20_000) double link,
            @ForAll @LongRange(min = 1, max = 10_000) long downtimeMs) {
        var a = model.predict(Math.min(m1, m2), dirty, link, downtimeMs);
        var b = model.predict(Math.max(m1, m2), dirty, link, downtimeMs);
        assertThat(atLeast(b.seconds(), a.seconds())).isTrue();
        assertThat(atLeast(b.bytes(), a.bytes())).isTrue();
        if (b.converges()) {
            assertThat(a.converges()).isTrue();
        }
    }

    @Property(tries = 1000)
    void convergesExactlyWhenDirtyRateIsBelowTheMarginOrMemoryFitsTheDowntime(
            @ForAll @LongRange(min = 1, max = 1_048_576) long memoryMib, @ForAll("rates") double dirty,
            @ForAll @DoubleRange(min = 1, max = 20_000) double link,
            @ForAll @LongRange(min = 1, max = 10_000) long downtimeMs) {
        var p = model.predict(memoryMib, dirty, link, downtimeMs);
        boolean fitsInPause = memoryMib <= link * downtimeMs / 1000.0;
        assertThat(p.converges()).isEqualTo(fitsInPause || dirty < link * (1 - EPS));
    }

    @Property(tries = 1000)
    void convergingPredictionRespectsTheDowntimeAndSendsAtLeastMemory(
            @ForAll @LongRange(min = 1, max = 1_048_576) long memoryMib, @ForAll("rates") double dirty,
            @ForAll @DoubleRange(min = 1, max = 20_000) double link,
            @ForAll @LongRange(min = 1, max = 10_000) long downtimeMs) {
        var p = model.predict(memoryMib, dirty, link, downtimeMs);
        if (p.converges()) {
            assertThat(p.downtimeMs()).isLessThanOrEqualTo(downtimeMs * (1 + 1e-9));
            assertThat(p.bytes()).isGreaterThanOrEqualTo(memoryMib * 1024.0 * 1024.0 * (1 - 1e-12));
            assertThat(p.seconds()).isCloseTo(p.bytes() / (1024.0 * 1024.0) / link,
                    org.assertj.core.data.Percentage.withPercentage(1e-6));
            assertThat(p.rounds()).isGreaterThanOrEqualTo(0);
        } else {
            assertThat(p.seconds()).isInfinite();
        }
    }
}
