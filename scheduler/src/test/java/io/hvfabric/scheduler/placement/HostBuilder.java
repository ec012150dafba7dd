package io.hvfabric.scheduler.placement;

import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Fluent test builder: a READY, schedulable KVM host with 16 vCPUs, 64 GiB, 1 TiB disk, 10 Gbit/s, nothing on it. */
public final class HostBuilder {

    private final String id;
    private HostState state = HostState.READY;
    private boolean schedulable = true;
    private String accelerator = "kvm";
    private String cpuModel = "host-model";
    private Capacity capacity = Capacity.of(16, 65_536, 1_024, 10_000);
    private Capacity allocated = Capacity.ZERO;
    private final Set<String> groups = new HashSet<>();
    private final Map<String, String> labels = new HashMap<>();
    private int overlayMtu;

    private HostBuilder(String id) {
        this.id = id;
    }

    public static HostBuilder host(String id) {
        return new HostBuilder(id);
    }

    public HostBuilder state(HostState value) {
        state = value;
        return this;
    }

    public HostBuilder unschedulable() {
        schedulable = false;
        return this;
    }

    public HostBuilder accelerator(String value) {
        accelerator = value;
        return this;
    }

    public HostBuilder cpuModel(String value) {
        cpuModel = value;
        return this;
    }

    public HostBuilder capacity(int vcpus, long memoryMib, long diskGib, long nicMbps) {
        capacity = Capacity.of(vcpus, memoryMib, diskGib, nicMbps);
        return this;
    }

    public HostBuilder capacity(Capacity value) {
        capacity = value;
        return this;
    }

    public HostBuilder allocated(int vcpus, long memoryMib, long diskGib, long nicMbps) {
        allocated = Capacity.of(vcpus, memoryMib, diskGib, nicMbps);
        return this;
    }

    public HostBuilder allocated(Capacity value) {
        allocated = value;
        return this;
    }

    public HostBuilder runningGroup(String group) {
        groups.add(group);
        return this;
    }

    public HostBuilder label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    /** The host runs the overlay data plane and carries guest MTUs up to {@code mtu}. */
    public HostBuilder overlay(int mtu) {
        overlayMtu = mtu;
        return this;
    }

    public HostCandidate build() {
        return new HostCandidate(id, state, schedulable, accelerator, cpuModel, capacity, allocated, groups, labels,
                overlayMtu);
    }
}
