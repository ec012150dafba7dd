package io.hvfabric.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PolicyConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        PolicyConfig c = PolicyConfig.defaults();
        assertThat(c.defaultMaxDowntimeMs()).isEqualTo(300);
        assertThat(c.defaultMaxBandwidthMibps()).isZero();
        assertThat(c.uncappedBandwidthMibps()).isEqualTo(10_240);
        assertThat(c.defaultMaxDurationMs()).isZero();
        assertThat(c.multifdChannels()).isEqualTo(4);
        assertThat(c.postcopyAllowed()).isTrue();
        assertThat(c.nonConvergingRounds()).isEqualTo(3);
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void invalidValuesNameTheFieldAndTheRule() {
        assertThatThrownBy(() -> PolicyConfig.builder().defaultMaxDowntimeMs(0).build())
                .hasMessage("migration policy defaultMaxDowntimeMs must be > 0, got 0");
        assertThatThrownBy(() -> PolicyConfig.builder().multifdChannels(0).build())
                .hasMessageContaining("multifdChannels must be between 1 and 255");
        assertThatThrownBy(() -> PolicyConfig.builder().cpuThrottleIncrementPercent(100).build())
                .hasMessageContaining("cpuThrottleIncrementPercent must be between 1 and 99");
        assertThatThrownBy(() -> PolicyConfig.builder().cpuThrottleInitialPercent(50).maxCpuThrottlePercent(40).build())
                .hasMessageContaining("maxCpuThrottlePercent must be >= cpuThrottleInitialPercent (50)");
        assertThatThrownBy(() -> PolicyConfig.builder().convergenceMargin(1).build())
                .hasMessageContaining("convergenceMargin must be in [0, 1)");
        assertThatThrownBy(() -> PolicyConfig.builder().assumedLinkMibps(Double.NaN).build())
                .hasMessageContaining("assumedLinkMibps");
        assertThatThrownBy(() -> PolicyConfig.builder().nonConvergingRounds(0).build())
                .hasMessageContaining("nonConvergingRounds must be >= 1");
    }

    @Test
    void rungsAndStatusesRoundTripTheirWireNames() {
        for (Rung r : Rung.values()) {
            assertThat(Rung.fromWireName(r.wireName())).isEqualTo(r);
        }
        assertThatThrownBy(() -> Rung.fromWireName("warp")).hasMessageContaining("rung must be one of");
        assertThat(QemuMigrationStatus.of("postcopy-active").isPostcopy()).isTrue();
        assertThat(QemuMigrationStatus.of("completed").isTerminal()).isTrue();
        assertThat(QemuMigrationStatus.of("something-new")).isEqualTo(QemuMigrationStatus.UNKNOWN);
    }
}
