package io.hvfabric.scheduler.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OvercommitRatiosTest {

    @Test
    void defaultsOvercommitOnlyCpu() {
        assertThat(OvercommitRatios.DEFAULT).isEqualTo(new OvercommitRatios(4.0, 1.0, 1.0, 1.0));
        assertThat(OvercommitRatios.DEFAULT.effectiveCapacity(Dimension.CPU, 16)).isEqualTo(64);
        assertThat(OvercommitRatios.DEFAULT.effectiveCapacity(Dimension.MEMORY, 8_192)).isEqualTo(8_192);
    }

    @Test
    void effectiveCapacityRoundsDown() {
        assertThat(OvercommitRatios.effectiveCapacity(3, 1.5)).isEqualTo(4);
        assertThat(OvercommitRatios.effectiveCapacity(7, 0.5)).isEqualTo(3);
    }

    @Test
    void nonPositiveOrAbsurdRatiosAreRejectedNamingTheField() {
        assertThatThrownBy(() -> new OvercommitRatios(4.0, 0.0, 1.0, 1.0))
                .hasMessageContaining("OvercommitRatios.memory must be > 0");
        assertThatThrownBy(() -> new OvercommitRatios(400.0, 1.0, 1.0, 1.0))
                .hasMessageContaining("OvercommitRatios.cpu");
        assertThatThrownBy(() -> new OvercommitRatios(4.0, 1.0, Double.NaN, 1.0))
                .hasMessageContaining("OvercommitRatios.disk");
    }
}
