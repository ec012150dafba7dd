package io.hvfabric.scheduler.rebalance;

import static io.hvfabric.scheduler.drain.HostLoadBuilder.host;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hvfabric.scheduler.drain.ClusterSnapshot;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ImbalanceMetricTest {

    private static final OvercommitRatios RATIOS = new OvercommitRatios(4.0, 1.0, 1.0, 1.0);

    @Test
    void loadIsTheMeanOfCpuAndMemoryUtilizationAfterOvercommit() {
        // 16 of 16×4 vCPUs = 0.25; 32 of 64 GiB = 0.5; mean 0.375.
        var h = host("a").capacity(16, 65_536).vsi("v", 16, 32_768).build().host();

        assertThat(ImbalanceMetric.load(h, RATIOS)).isCloseTo(0.375, within(1e-12));
    }

    @Test
    void imbalanceIsThePopulationStandardDeviationOverReadyHostsOnly() {
        ClusterSnapshot cluster = ClusterSnapshot.of(List.of(
                host("a").capacity(16, 65_536).vsi("v1", 64, 65_536).build(), // load 1.0
                host("b").capacity(16, 65_536).build(), // load 0.0
                host("down").state(HostState.DOWN).capacity(16, 65_536).vsi("v2", 32, 32_768).build(),
                host("cordoned").state(HostState.CORDONED).build()));

        // Loads 1 and 0: mean 0.5, deviation 0.5.
        assertThat(ImbalanceMetric.imbalance(cluster, RATIOS)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void aBalancedOrTinyClusterHasNoImbalance() {
        ClusterSnapshot even = ClusterSnapshot.of(List.of(
                host("a").vsi("v1", 4, 8_192).build(), host("b").vsi("v2", 4, 8_192).build()));
        ClusterSnapshot single = ClusterSnapshot.of(List.of(host("a").vsi("v1", 4, 8_192).build()));

        assertThat(ImbalanceMetric.imbalance(even, RATIOS)).isZero();
        assertThat(ImbalanceMetric.imbalance(single, RATIOS)).isZero();
    }
}
