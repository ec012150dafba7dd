package io.hvfabric.scheduler.placement.plugins.compat;

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
class AcceleratorCompatibilityTest {

    private final AcceleratorCompatibility filter = new AcceleratorCompatibility();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT);

    @Test
    void unconstrainedRequestPassesAnyHost() {
        assertThat(filter.filter(vsi("a").build(), host("h1").accelerator("tcg").build(), ctx).isSuccess())
                .isTrue();
    }

    @Test
    void requiredAcceleratorMustMatch() {
        var request = vsi("a").requiredAccelerator("kvm").build();

        assertThat(filter.filter(request, host("h1").accelerator("kvm").build(), ctx).isSuccess()).isTrue();
        Status tcg = filter.filter(request, host("h2").accelerator("tcg").build(), ctx);
        assertThat(tcg.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(tcg.reason()).contains("'kvm'").contains("'tcg'");
        assertThat(filter.filter(request, host("h3").accelerator(null).build(), ctx).isSuccess()).isFalse();
    }

    @Test
    void requiredCpuModelMustMatch() {
        var request = vsi("a").requiredCpuModel("EPYC-v4").build();

        assertThat(filter.filter(request, host("h1").cpuModel("EPYC-v4").build(), ctx).isSuccess()).isTrue();
        Status other = filter.filter(request, host("h2").cpuModel("Skylake-Server").build(), ctx);
        assertThat(other.plugin()).contains(AcceleratorCompatibility.NAME);
        assertThat(other.reason()).contains("EPYC-v4").contains("Skylake-Server");
    }
}
