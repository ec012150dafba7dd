package io.hvfabric.scheduler.vsi;

import io.hvfabric.common.membership.MemberView;
import io.hvfabric.common.membership.MembershipConfig;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.hosts.HostStates;
import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** Builds the placement pipeline's input from the view: every host with its state, capacity and allocation. */
public final class PlacementInputs {
    private final ClusterView view;
    private final Supplier<List<MemberView>> members;

    /** {@code members} is the gossip view; it is read once per call, not once per host. */
    public PlacementInputs(ClusterView view, Supplier<List<MemberView>> members) {
        this.view = view;
        this.members = members;
    }

    public List<HostCandidate> candidates() {
        Map<String, Set<String>> groupsByHost = new HashMap<>();
        for (Versioned<VsiRecord> v : view.vsis()) {
            String group = v.value().getSpec().getAntiAffinityGroup();
            if (!group.isEmpty() && !v.value().getHost().isEmpty()) {
                groupsByHost.computeIfAbsent(v.value().getHost(), h -> new HashSet<>()).add(group);
            }
        }
        Map<String, String> reachability = new HashMap<>();
        for (MemberView m : members.get()) {
            if (MembershipConfig.KIND_AGENT.equals(m.kind())) {
                reachability.put(m.id(), m.reachable() ? MemberView.REACHABLE : MemberView.UNREACHABLE);
            }
        }
        List<HostCandidate> candidates = new ArrayList<>();
        for (Versioned<HostRecord> v : view.hosts()) {
            HostRecord host = v.value();
            Host.State state = HostStates.derive(host, view.alive(host.getId()).isPresent(),
                    reachability.getOrDefault(host.getId(), MemberView.ABSENT));
            Resources allocated = view.allocation(host.getId())
                    .map(a -> a.value().getAllocated())
                    .orElse(Resources.getDefaultInstance());
            candidates.add(new HostCandidate(
                    host.getId(),
                    HostState.valueOf(state.name()),
                    state == Host.State.READY,
                    host.getCapabilities().getAccelerator(),
                    host.getCapabilities().getCpuModel(),
                    capacity(host.getCapacity()),
                    capacity(allocated),
                    groupsByHost.getOrDefault(host.getId(), Set.of()),
                    host.getLabelsMap()));
        }
        return candidates;
    }

    public int largestHostVcpus() {
        return view.hosts().stream().mapToInt(h -> h.value().getCapacity().getVcpus()).max().orElse(0);
    }

    static Capacity capacity(Resources r) {
        return new Capacity(r.getVcpus(), r.getMemoryMib(), r.getDiskGib(), r.getNicMbps());
    }

    static Resources plus(Resources a, Capacity d, int vsiDelta) {
        return a.toBuilder()
                .setVcpus(a.getVcpus() + d.vcpus())
                .setMemoryMib(a.getMemoryMib() + d.memoryMib())
                .setDiskGib(a.getDiskGib() + d.diskGib())
                .setNicMbps(a.getNicMbps() + d.nicMbps())
                .setVsiCount(a.getVsiCount() + vsiDelta)
                .build();
    }

    public static HostAllocation add(HostAllocation alloc, String vsi, Capacity demand) {
        return alloc.toBuilder()
                .setAllocated(plus(alloc.getAllocated(), demand, 1))
                .addVsis(vsi)
                .build();
    }

    public static HostAllocation remove(HostAllocation alloc, String vsi, Capacity demand) {
        List<String> names = new ArrayList<>(alloc.getVsisList());
        names.remove(vsi);
        Resources r = alloc.getAllocated().toBuilder()
                .setVcpus(Math.max(0, alloc.getAllocated().getVcpus() - demand.vcpus()))
                .setMemoryMib(Math.max(0, alloc.getAllocated().getMemoryMib() - demand.memoryMib()))
                .setDiskGib(Math.max(0, alloc.getAllocated().getDiskGib() - demand.diskGib()))
                .setNicMbps(Math.max(0, alloc.getAllocated().getNicMbps() - demand.nicMbps()))
                .setVsiCount(Math.max(0, alloc.getAllocated().getVsiCount() - 1))
                .build();
        return HostAllocation.newBuilder().setAllocated(r).addAllVsis(names).build();
    }
}
