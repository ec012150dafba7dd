package io.hvfabric.scheduler.placement.plugins.pinning;

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
class ExcludedHostFilterTest {

    private final ExcludedHostFilter filter = new ExcludedHostFilter();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT);

    @Test
    void excludedHostIsRejectedOthersPass() {
        var request = vsi("a").excluding("source").build();

        Status excluded = filter.filter(request, host("source").build(), ctx);
        assertThat(excluded.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(excluded.plugin()).contains(ExcludedHostFilter.NAME);
        assertThat(filter.filter(request, host("target").build(), ctx).isSuccess()).isTrue();
    }

    @Test
    void requestWithoutExclusionsPassesEveryHost() {
        assertThat(filter.filter(vsi("a").build(), host("source").build(), ctx).isSuccess()).isTrue();
    }
}
