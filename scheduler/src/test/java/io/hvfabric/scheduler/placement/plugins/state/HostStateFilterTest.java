package io.hvfabric.scheduler.placement.plugins.state;

import static io.hvfabric.scheduler.placement.HostBuilder.host;
import static io.hvfabric.scheduler.placement.RequestBuilder.vsi;
import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.Status;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HostStateFilterTest {

    private final HostStateFilter filter = new HostStateFilter();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT);

    @Test
    void readySchedulableHostPasses() {
        assertThat(filter.filter(vsi("a").build(), host("h1").build(), ctx).isSuccess()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = HostState.class, names = "READY", mode = EnumSource.Mode.EXCLUDE)
    void everyOtherStateIsRejectedUnresolvablyNamingTheState(HostState state) {
        Status status = filter.filter(vsi("a").build(), host("h1").state(state).build(), ctx);

        assertThat(status.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(status.plugin()).contains(HostStateFilter.NAME);
        assertThat(status.reason()).contains(state.name());
        assertThat(status.dimension()).isEmpty();
    }

    @Test
    void readyButUnschedulableHostIsRejected() {
        Status status = filter.filter(vsi("a").build(), host("h1").unschedulable().build(), ctx);

        assertThat(status.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(status.reason()).contains("unschedulable");
    }

    @Test
    void cordonedHostIsLabelledCordoned() {
        Status status = filter.filter(vsi("a").build(), host("h1").state(HostState.CORDONED).build(), ctx);

        assertThat(status.labels()).containsExactly("cordoned");
    }
}
