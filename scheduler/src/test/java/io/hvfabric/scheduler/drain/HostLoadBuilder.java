package io.hvfabric.scheduler.drain;

import io.hvfabric.scheduler.placement.HostBuilder;
import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostState;
import java.util.ArrayList;
import java.util.List;

/**
 * Fluent test builder of a host with VSIs on it: READY KVM host, 16 vCPUs, 64 GiB, 1 TiB disk, 10 Gbit/s; allocation
 * and anti-affinity groups follow from the VSIs added.
 */
public final class HostLoadBuilder {

    private final HostBuilder host;
    private final List<VsiLoad> vsis = new ArrayList<>();

    private HostLoadBuilder(String id) {
        host = HostBuilder.host(id);
    }

    public static HostLoadBuilder host(String id) {
        return new HostLoadBuilder(id);
    }

    public HostLoadBuilder capacity(int vcpus, long memoryMib) {
        host.capacity(vcpus, memoryMib, 1_024, 10_000);
        return this;
    }

    public HostLoadBuilder state(HostState state) {
        host.state(state);
        return this;
    }

    public HostLoadBuilder unschedulable() {
        host.unschedulable();
        return this;
    }

    public HostLoadBuilder accelerator(String value) {
        host.accelerator(value);
        return this;
    }

    public HostLoadBuilder vsi(String name, int vcpus, long memoryMib) {
        return vsi(name, vcpus, memoryMib, null, 0);
    }

    public HostLoadBuilder vsi(String name, int vcpus, long memoryMib, String group, double dirtyRateMibps) {
        vsis.add(new VsiLoad(name, Capacity.of(vcpus, memoryMib, 0, 0), group, dirtyRateMibps));
        return this;
    }

    /** A VSI whose vNICs are guaranteed {@code nicMbps} in all. */
    public HostLoadBuilder vsiWithNics(String name, int vcpus, long memoryMib, long nicMbps) {
        vsis.add(new VsiLoad(name, Capacity.of(vcpus, memoryMib, 0, nicMbps), null, 0));
        return this;
    }

    public HostLoad build() {
        Capacity allocated = Capacity.ZERO;
        for (VsiLoad v : vsis) {
            allocated = allocated.plus(v.demand());
            if (v.antiAffinityGroup() != null) {
                host.runningGroup(v.antiAffinityGroup());
            }
        }
        return new HostLoad(host.allocated(allocated).build(), vsis);
    }
}
