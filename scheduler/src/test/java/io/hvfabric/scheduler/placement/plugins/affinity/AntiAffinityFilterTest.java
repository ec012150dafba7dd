package io.hvfabric.scheduler.placement.plugins.affinity;

import static io.hvfabric.scheduler.placement.HostBuilder.host;
import static io.hvfabric.scheduler.placement.RequestBuilder.vsi;
import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.Status;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AntiAffinityFilterTest {

    private final AntiAffinityFilter filter = new AntiAffinityFilter();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT);

    @Test
    void hostRunningTheSameGroupIsRejectedResolvably() {
        Status status = filter.filter(
                vsi("db-2").antiAffinityGroup("db").build(), host("h1").runningGroup("db").build(), ctx);

        assertThat(status.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(status.plugin()).contains(AntiAffinityFilter.NAME);
        assertThat(status.reason()).contains("'db'");
    }

    @Test
    void hostRunningOnlyOtherGroupsPasses() {
        var request = vsi("db-2").antiAffinityGroup("db").build();

        assertThat(filter.filter(request, host("h1").runningGroup("web").build(), ctx).isSuccess()).isTrue();
        assertThat(filter.filter(request, host("h2").build(), ctx).isSuccess()).isTrue();
    }

    @Test
    void requestWithoutGroupIgnoresGroupsOnTheHost() {
        assertThat(filter.filter(vsi("x").build(), host("h1").runningGroup("db").build(), ctx).isSuccess())
                .isTrue();
    }
}
