package io.hvfabric.scheduler.vsi;

import io.hvfabric.common.membership.MemberView;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.hosts.HostStates;
import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.runtime.BestHostSearch;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The placement pipeline's input from the view: every host with its state, capacity and allocation, from a
 * {@link CandidateIndex} that follows the view incrementally (no per-decision rebuild of every host's candidate).
 */
public final class PlacementInputs {
    private final CandidateIndex index;

    /** {@code members} is the gossip view; it is read once per call, not once per host. */
    public PlacementInputs(ClusterView view, Supplier<List<MemberView>> members) {
        this.index = new CandidateIndex(view, members);
    }

    /** Every host as the view shows it, with all the anti-affinity groups of its VSIs, in host id order. */
    public List<HostCandidate> candidates() {
        return index.candidates();
    }

    /**
     * The candidates for placing one VSI of anti-affinity {@code group} (empty: none), as the view shows them with
     * the leader's writes not applied yet laid over it (allocations and VSIs by name, empty for a deleted one), so
     * concurrent decisions see each other's placements. Only the VSIs of {@code group} are looked at: the only
     * plugin reading hosts' groups is the anti-affinity filter, for the request's own group. In no particular order:
     * the pipeline breaks ties by host id itself.
     */
    public List<HostCandidate> candidatesFor(Optional<String> group, Map<String, Optional<HostAllocation>> pendingAllocations,
                                             Map<String, Optional<VsiRecord>> pendingVsis) {
        return index.candidatesFor(group, pendingAllocations, pendingVsis);
    }

    static HostCandidate candidate(HostRecord host, boolean alive, String reach,
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

    /**
     * The host {@code pipeline} would choose for {@code request} among {@link #candidatesFor}'s candidates, found
     * without scoring every host when the pipeline is a standard one ({@link BestHostSearch}); empty when no host
     * fits (then {@code pipeline.place} over {@link #candidatesFor} explains why).
     */
    public Optional<String> choose(PlacementPipeline pipeline, PlacementRequest request,
                                   Map<String, Optional<HostAllocation>> pendingAllocations,
                                   Map<String, Optional<VsiRecord>> pendingVsis) {
        Optional<String> group = Optional.ofNullable(request.antiAffinityGroup());
        Optional<BestHostSearch> search = BestHostSearch.of(pipeline);
        if (search.isEmpty()) {
            return pipeline.place(request, candidatesFor(group, pendingAllocations, pendingVsis)).chosenHost();
        }
        return index.choose(search.get(), request, group, pendingAllocations, pendingVsis);
    }

    /** The most vCPUs any host has (whatever its state): the largest VSI that could ever be placed. */
    public int largestHostVcpus() {
        return index.largestHostVcpus();
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
