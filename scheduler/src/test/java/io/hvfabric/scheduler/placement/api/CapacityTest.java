package io.hvfabric.scheduler.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CapacityTest {

    @Test
    void plusAndMinusWorkPerDimension() {
        var a = Capacity.of(4, 8_192, 100, 1_000);
        var b = Capacity.of(1, 1_024, 10, 0);

        assertThat(a.plus(b)).isEqualTo(Capacity.of(5, 9_216, 110, 1_000));
        assertThat(a.minus(b)).isEqualTo(Capacity.of(3, 7_168, 90, 1_000));
        assertThat(a.plus(b).minus(b)).isEqualTo(a);
    }

    @Test
    void minusBelowZeroNamesTheDimension() {
        assertThatThrownBy(() -> Capacity.of(4, 1_024, 0, 0).minus(Capacity.of(1, 2_048, 0, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memory");
    }

    @Test
    void negativeComponentsAreRejectedNamingTheField() {
        assertThatThrownBy(() -> Capacity.of(1, -1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memoryMib must be >= 0");
    }

    @Test
    void dimensionReadsItsComponent() {
        var c = Capacity.of(1, 2, 3, 4);

        assertThat(Dimension.CPU.of(c)).isEqualTo(1);
        assertThat(Dimension.MEMORY.of(c)).isEqualTo(2);
        assertThat(Dimension.DISK.of(c)).isEqualTo(3);
        assertThat(Dimension.NIC.of(c)).isEqualTo(4);
    }
}
