package io.hvfabric.scheduler.placement.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PlacementResultTest {

    private static Status shortOn(Dimension d) {
        return Status.insufficient("Fit", new Shortfall(d, 4_096, 7_168, 8_192, 1.0));
    }

    private static Status cordoned() {
        return Status.unresolvable("HostStateFilter", "cordoned", () -> "host is CORDONED");
    }

    @Test
    void bindingDimensionIsTheOneRejectingMostHostsAndExplainNamesIt() {
        var result = PlacementResult.of(
                "web-9",
                new String[] {"h1", "h2", "h3", "h4", "h5"},
                new Status[] {
                    shortOn(Dimension.MEMORY), shortOn(Dimension.MEMORY), cordoned(),
                    shortOn(Dimension.CPU), shortOn(Dimension.MEMORY)
                },
                new long[5],
                -1);

        assertThat(result.chosenHost()).isEmpty();
        assertThat(result.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(result.bindingDimension()).contains(Dimension.MEMORY);
        assertThat(result.explain())
                .isEqualTo("no host fits vsi 'web-9': memory is the binding dimension "
                        + "(3 hosts short on memory, 1 host cordoned, 1 host short on cpu)");
    }

    @Test
    void onlyUnresolvableRejectionsGiveNoBindingDimension() {
        var result = PlacementResult.of("a", new String[] {"h1"}, new Status[] {cordoned()}, new long[1], -1);

        assertThat(result.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(result.bindingDimension()).isEmpty();
        assertThat(result.explain()).isEqualTo("no host fits vsi 'a' (1 host cordoned)");
    }

    @Test
    void anErrorMakesTheFailedResultAnError() {
        var result = PlacementResult.of(
                "a", new String[] {"h1", "h2"}, new Status[] {cordoned(), Status.error("X", "boom")}, new long[2], -1);

        assertThat(result.code()).isEqualTo(Status.Code.ERROR);
    }

    @Test
    void chosenResultReportsHostScoreAndFeasibleHosts() {
        var result = PlacementResult.of(
                "a",
                new String[] {"h1", "h2"},
                new Status[] {Status.success(), cordoned()},
                new long[] {190, 0},
                0);

        assertThat(result.chosenHost()).contains("h1");
        assertThat(result.code()).isEqualTo(Status.Code.SUCCESS);
        assertThat(result.bindingDimension()).isEmpty();
        assertThat(result.scores()).containsOnlyKeys("h1").containsEntry("h1", 190L);
        assertThat(result.rejections()).containsOnlyKeys("h2");
        assertThat(result.explain()).isEqualTo("vsi 'a' placed on host 'h1' (score 190, 1 of 2 hosts feasible)");
    }

    @Test
    void noHostsAtAll() {
        var result = PlacementResult.of("a", new String[0], new Status[0], new long[0], -1);

        assertThat(result.explain()).isEqualTo("no host fits vsi 'a': no hosts to choose from");
        assertThat(result.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    }

    @Test
    void multiDimensionalShortfallCountsTowardsEachDimension() {
        Status both = shortOn(Dimension.CPU).withShortfall(new Shortfall(Dimension.MEMORY, 2, 1, 2, 1.0));
        var result = PlacementResult.of(
                "a", new String[] {"h1", "h2"}, new Status[] {both, shortOn(Dimension.MEMORY)}, new long[2], -1);

        assertThat(result.bindingDimension()).contains(Dimension.MEMORY);
        assertThat(both.reason()).contains("cpu: needs").contains("; memory: needs");
    }
}
