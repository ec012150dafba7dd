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
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** Builds the placement pipeline's input from the view: every host with its state, capacity and allocation. */
public final class PlacementInputs {
    private record CacheKey(long hostRevision, boolean alive, String reachability, long allocationRevision) {}

    private record Cached(CacheKey key, HostCandidate candidate) {}

    private final ClusterView view;
    private final Supplier<List<MemberView>> members;
    /** Per host, its last candidate without anti-affinity groups or pending writes, and what it was built from. */
    private final Map<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code members} is the gossip view; it is read once per call, not once per host. */
    public PlacementInputs(ClusterView view, Supplier<List<MemberView>> members) {
        this.view = view;
        this.members = members;
    }

    public List<HostCandidate> candidates() {
        Map<String, Set<String>> groupsByHost = new HashMap<>();
        for (Versioned<VsiRecord> v : view.vsis()) {
            addGroup(groupsByHost, v.value());
        }
        return candidates(Map.of(), groupsByHost, view.hosts());
    }

    /**
     * The candidates for placing one VSI of anti-affinity {@code group} (empty: none), as the view shows them with
     * the leader's writes not applied yet laid over it (allocations and VSIs by name, empty for a deleted one), so
     * concurrent decisions see each other's placements. Only the VSIs of {@code group} are looked at: the only
     * plugin reading hosts' groups is the anti-affinity filter, for the request's own group.
     */
    public List<HostCandidate> candidatesFor(Optional<String> group, Map<String, Optional<HostAllocation>> pendingAllocations,
                                             Map<String, Optional<VsiRecord>> pendingVsis) {
        Map<String, Set<String>> groupsByHost = new HashMap<>();
        if (group.isPresent()) {
            for (Versioned<VsiRecord> v : view.vsisUnordered()) {
                if (group.get().equals(v.value().getSpec().getAntiAffinityGroup())
                        && !pendingVsis.containsKey(v.value().getSpec().getName())) {
                    addGroup(groupsByHost, v.value());
                }
            }
            pendingVsis.values().forEach(v -> v.filter(r -> group.get().equals(r.getSpec().getAntiAffinityGroup()))
                    .ifPresent(r -> addGroup(groupsByHost, r)));
        }
        // Unordered: the pipeline breaks ties by host id itself, and sorting 1000s of hosts per decision costs.
        return candidates(pendingAllocations, groupsByHost, view.hostsUnordered());
    }

    private List<HostCandidate> candidates(Map<String, Optional<HostAllocation>> pendingAllocations,
                                           Map<String, Set<String>> groupsByHost,
                                           java.util.Collection<Versioned<HostRecord>> hosts) {
        Map<String, String> reachability = new HashMap<>();
        for (MemberView m : members.get()) {
            if (MembershipConfig.KIND_AGENT.equals(m.kind())) {
                reachability.put(m.id(), m.reachable() ? MemberView.REACHABLE : MemberView.UNREACHABLE);
            }
        }
        List<HostCandidate> candidates = new ArrayList<>(hosts.size());
        for (Versioned<HostRecord> v : hosts) {
            HostRecord host = v.value();
            String id = host.getId();
            boolean alive = view.alive(id).isPresent();
            String reach = reachability.getOrDefault(id, MemberView.ABSENT);
            Set<String> groups = groupsByHost.getOrDefault(id, Set.of());
            if (pendingAllocations.containsKey(id) || !groups.isEmpty()) {
                Optional<HostAllocation> pendingAllocation = pendingAllocations.get(id);
                Optional<HostAllocation> allocation = pendingAllocation != null ? pendingAllocation
                        : view.allocation(id).map(Versioned::value);
                candidates.add(candidate(host, alive, reach, allocation, groups));
                continue;
            }
            // Most hosts are as they were for the previous decision: their candidate is reused while the records it
            // was built from (host, liveness, reachability, allocation) are unchanged.
            Optional<Versioned<HostAllocation>> allocation = view.allocation(id);
            CacheKey key = new CacheKey(v.modRevision(), alive, reach, allocation.map(Versioned::modRevision).orElse(0L));
            Cached cached = cache.get(id);
            if (cached == null || !cached.key().equals(key)) {
                cached = new Cached(key, candidate(host, alive, reach, allocation.map(Versioned::value), Set.of()));
                cache.put(id, cached);
            }
            candidates.add(cached.candidate());
        }
        return candidates;
    }

    private static HostCandidate candidate(HostRecord host, boolean alive, String reach,
                                           Optional<HostAllocation> allocation, Set<String> groups) {
        Host.State state = HostStates.derive(host, alive, reach);
        Resources allocated = allocation.map(HostAllocation::getAllocated).orElse(Resources.getDefaultInstance());
        return new HostCandidate(
                host.getId(),
                HostState.valueOf(state.name()),
                state == Host.State.READY,
                host.getCapabilities().getAccelerator(),
                host.getCapabilities().getCpuModel(),
                capacity(host.getCapacity()),
                capacity(allocated),
                groups,
                host.getLabelsMap(),
                overlayMtu(host));
    }

    /** The guest MTU the host's overlay carries; 0 when its agent runs no overlay data plane. */
    private static int overlayMtu(HostRecord host) {
        return host.getCapabilities().getOverlayNetworks()
                ? Math.max(0, host.getCapabilities().getUnderlayMtu() - HostCandidate.VXLAN_OVERHEAD_BYTES) : 0;
    }

    private static void addGroup(Map<String, Set<String>> groupsByHost, VsiRecord vsi) {
        String group = vsi.getSpec().getAntiAffinityGroup();
        if (!group.isEmpty() && !vsi.getHost().isEmpty()) {
            groupsByHost.computeIfAbsent(vsi.getHost(), h -> new HashSet<>()).add(group);
        }
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
        // toBuilder: the host's volume reservations (HostAllocation.volumes) stay with it.
        return alloc.toBuilder().setAllocated(r).clearVsis().addAllVsis(names).build();
    }
}
