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
class RequiredHostFilterTest {

    private final RequiredHostFilter filter = new RequiredHostFilter();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT);

    @Test
    void unpinnedRequestPassesEveryHost() {
        assertThat(filter.filter(vsi("a").build(), host("h1").build(), ctx).isSuccess()).isTrue();
    }

    @Test
    void pinnedRequestPassesOnlyTheRequiredHost() {
        var request = vsi("a").requiredHost("h2").build();

        assertThat(filter.filter(request, host("h2").build(), ctx).isSuccess()).isTrue();
        Status other = filter.filter(request, host("h1").build(), ctx);
        assertThat(other.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(other.plugin()).contains(RequiredHostFilter.NAME);
        assertThat(other.reason()).contains("'h2'");
    }
}
