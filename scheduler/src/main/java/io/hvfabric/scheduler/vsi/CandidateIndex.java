package io.hvfabric.scheduler.vsi;

import io.hvfabric.common.membership.MemberView;
import io.hvfabric.common.membership.MembershipConfig;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.runtime.BestHostSearch;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Every host's placement candidate, kept current from the view instead of rebuilt for each decision: the view tells
 * which host's record, liveness or allocation changed and which VSI did, and only those hosts' candidates are rebuilt
 * (and only those VSIs' anti-affinity groups recounted) on the next read; gossip reachability is compared with the
 * last read's. A decision then copies one array and lays the leader's pending writes over it.
 *
 * <p>The view's watch thread only marks things dirty; reads rebuild under this object's lock, on the reader's thread.
 */
final class CandidateIndex implements ClusterView.RecordListener {
    /** Where one VSI of an anti-affinity group runs. */
    private record GroupMember(String group, String host) {}

    /** A host's candidate with its utilization order key. */
    private record Keyed(double key, HostCandidate candidate) {}

    private static final Comparator<Keyed> BY_KEY =
            Comparator.comparingDouble(Keyed::key).thenComparing(k -> k.candidate().id());

    private final ClusterView view;
    private final Supplier<List<MemberView>> members;
    private final Set<String> dirtyHosts = ConcurrentHashMap.newKeySet();
    private final Set<String> dirtyVsis = ConcurrentHashMap.newKeySet();
    /** Set by the view's re-read, and at first: everything is rebuilt from the view on the next read. */
    private volatile boolean reset = true;

    // Guarded by this.
    /** Each host's candidate without anti-affinity groups or pending writes, by id (so in id order). */
    private final TreeMap<String, HostCandidate> byId = new TreeMap<>();
    /** The gossip reachability of the agents gossip knows, as of the last read; others are ABSENT. */
    private Map<String, String> reachability = Map.of();
    /** The VSIs that belong to an anti-affinity group and have a host. */
    private final Map<String, GroupMember> grouped = new HashMap<>();
    /** Per anti-affinity group, per host, how many of its VSIs run there. */
    private final Map<String, Map<String, Integer>> groupHosts = new HashMap<>();
    /** {@link #byId}'s values in id order, and each id's position there; null after a host came or went. */
    private HostCandidate[] ordered;
    private Map<String, Integer> positions;
    private int largestVcpus;
    /** The hosts in {@link BestHostSearch#key} order for {@link #orderRatios}; null until a search asks for it. */
    private TreeSet<Keyed> order;
    private final Map<String, Keyed> keyed = new HashMap<>();
    private OvercommitRatios orderRatios;
    private BestHostSearch orderSearch;
    /** The effective capacity range for the search's bounds; null after a host's capacity changed. */
    private BestHostSearch.CapacityRange range;

    CandidateIndex(ClusterView view, Supplier<List<MemberView>> members) {
        this.view = view;
        this.members = members;
        view.addRecordListener(this);
    }

    @Override
    public void onRecord(Keys.Kind kind, String name) {
        switch (kind) {
            case HOST, ALIVE, HOST_ALLOCATION -> dirtyHosts.add(name);
            case VSI -> dirtyVsis.add(name);
            default -> { }
        }
    }

    @Override
    public void onReset() {
        reset = true;
    }

    /**
     * The candidates for placing one VSI of anti-affinity {@code group} (empty: none), with the leader's pending
     * writes laid over the view: allocations by host, VSIs by name (empty for a deleted one). Only {@code group}'s
     * members are put on the candidates: the anti-affinity filter reads no other group. In no particular order.
     */
    synchronized List<HostCandidate> candidatesFor(Optional<String> group,
                                                   Map<String, Optional<HostAllocation>> pendingAllocations,
                                                   Map<String, Optional<VsiRecord>> pendingVsis) {
        refresh();
        HostCandidate[] candidates = ordered().clone();
        overlay(group, pendingAllocations, pendingVsis).forEach((id, c) -> candidates[positions.get(id)] = c);
        return Arrays.asList(candidates);
    }

    /**
     * The host {@code search}'s pipeline would choose among {@link #candidatesFor}'s candidates, found by visiting
     * the hosts in utilization order (see {@link BestHostSearch}); empty when none is feasible.
     */
    synchronized Optional<String> choose(BestHostSearch search, PlacementRequest request, Optional<String> group,
                                         Map<String, Optional<HostAllocation>> pendingAllocations,
                                         Map<String, Optional<VsiRecord>> pendingVsis) {
        refresh();
        if (order == null || !search.ratios().equals(orderRatios)) {
            buildOrder(search);
        }
        if (range == null) {
            range = search.range(byId.values());
        }
        Map<String, HostCandidate> apart = overlay(group, pendingAllocations, pendingVsis);
        if (request.requiredHost() != null) {
            // Pinned: every other host is rejected by the pin, so only this one needs a look.
            HostCandidate pinned = apart.getOrDefault(request.requiredHost(), byId.get(request.requiredHost()));
            return search.choose(request, pinned == null ? List.of() : List.of(pinned),
                    java.util.Collections.emptyIterator(), Set.of(), range);
        }
        Iterator<Keyed> keyedHosts = search.leastUsedFirst() ? order.iterator() : order.descendingIterator();
        Iterator<HostCandidate> hosts = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return keyedHosts.hasNext();
            }

            @Override
            public HostCandidate next() {
                return keyedHosts.next().candidate();
            }
        };
        return search.choose(request, apart.values(), hosts, apart.keySet(), range);
    }

    /** The candidates that the pending writes and {@code group}'s members change, by host id. */
    private Map<String, HostCandidate> overlay(Optional<String> group,
                                               Map<String, Optional<HostAllocation>> pendingAllocations,
                                               Map<String, Optional<VsiRecord>> pendingVsis) {
        Map<String, HostCandidate> changed = new HashMap<>();
        pendingAllocations.forEach((host, allocation) -> {
            HostCandidate c = byId.get(host);
            if (c != null) {
                Resources allocated = allocation.map(HostAllocation::getAllocated)
                        .orElse(Resources.getDefaultInstance());
                changed.put(host, c.withAllocated(PlacementInputs.capacity(allocated), Set.of()));
            }
        });
        if (group.isPresent()) {
            Map<String, Integer> hosts = new HashMap<>(groupHosts.getOrDefault(group.get(), Map.of()));
            pendingVsis.forEach((name, pending) -> {
                GroupMember committed = grouped.get(name);
                if (committed != null && committed.group().equals(group.get())) {
                    hosts.merge(committed.host(), -1, Integer::sum);
                }
                pending.flatMap(CandidateIndex::member).filter(m -> m.group().equals(group.get()))
                        .ifPresent(m -> hosts.merge(m.host(), 1, Integer::sum));
            });
            Set<String> groups = Set.of(group.get());
            hosts.forEach((host, count) -> {
                HostCandidate c = changed.getOrDefault(host, byId.get(host));
                if (c != null && count > 0) {
                    changed.put(host, c.withAllocated(c.allocated(), groups));
                }
            });
        }
        return changed;
    }

    private void buildOrder(BestHostSearch search) {
        orderRatios = search.ratios();
        orderSearch = search;
        order = new TreeSet<>(BY_KEY);
        keyed.clear();
        for (HostCandidate c : byId.values()) {
            Keyed k = new Keyed(search.key(c), c);
            order.add(k);
            keyed.put(c.id(), k);
        }
    }

    /** Keeps the utilization order in step with one host's new candidate (null: gone). */
    private void reorder(String id, HostCandidate next) {
        if (order == null) {
            return;
        }
        Keyed previous = next == null ? keyed.remove(id) : keyed.put(id, new Keyed(orderSearch.key(next), next));
        if (previous != null) {
            order.remove(previous);
        }
        if (next != null) {
            order.add(keyed.get(id));
        }
    }

    /** Every host's candidate as the view shows it, with all the anti-affinity groups on it, in host id order. */
    synchronized List<HostCandidate> candidates() {
        refresh();
        Map<String, Set<String>> groupsByHost = new HashMap<>();
        for (GroupMember m : grouped.values()) {
            groupsByHost.computeIfAbsent(m.host(), h -> new HashSet<>()).add(m.group());
        }
        List<HostCandidate> all = new ArrayList<>(byId.size());
        for (HostCandidate c : byId.values()) {
            Set<String> groups = groupsByHost.get(c.id());
            all.add(groups == null ? c : c.withAllocated(c.allocated(), groups));
        }
        return all;
    }

    /** The most vCPUs any host has (whatever its state): the largest VSI that could ever be placed. */
    synchronized int largestHostVcpus() {
        refresh();
        return largestVcpus;
    }

    private void refresh() {
        Map<String, String> reach = gossipReachability();
        if (reset) {
            reset = false;
            dirtyHosts.clear();
            dirtyVsis.clear();
            reachability = reach;
            rebuildAll();
            return;
        }
        if (!reach.equals(reachability)) {
            Set<String> changed = new HashSet<>(reach.keySet());
            changed.addAll(reachability.keySet());
            changed.removeIf(id -> reach.getOrDefault(id, MemberView.ABSENT)
                    .equals(reachability.getOrDefault(id, MemberView.ABSENT)));
            dirtyHosts.addAll(changed);
            reachability = reach;
        }
        for (Iterator<String> it = dirtyVsis.iterator(); it.hasNext(); ) {
            String name = it.next();
            it.remove(); // before reading the view: a change applied after the read marks it dirty again
            updateVsi(name);
        }
        boolean capacityChanged = false;
        for (Iterator<String> it = dirtyHosts.iterator(); it.hasNext(); ) {
            String id = it.next();
            it.remove();
            capacityChanged |= updateHost(id);
        }
        if (capacityChanged) {
            range = null;
            largestVcpus = byId.values().stream().mapToInt(c -> c.capacity().vcpus()).max().orElse(0);
        }
    }

    private void rebuildAll() {
        byId.clear();
        ordered = null;
        order = null;
        range = null;
        for (Versioned<HostRecord> v : view.hostsUnordered()) {
            byId.put(v.value().getId(), build(v.value()));
        }
        largestVcpus = byId.values().stream().mapToInt(c -> c.capacity().vcpus()).max().orElse(0);
        grouped.clear();
        groupHosts.clear();
        for (Versioned<VsiRecord> v : view.vsisUnordered()) {
            member(v.value()).ifPresent(m -> add(v.value().getSpec().getName(), m));
        }
    }

    /** Rebuilds one host's candidate from the view; whether its capacity changed (or it came or went). */
    private boolean updateHost(String id) {
        Optional<Versioned<HostRecord>> host = view.host(id);
        if (host.isEmpty()) {
            if (byId.remove(id) != null) {
                ordered = null;
                reorder(id, null);
                return true;
            }
            return false;
        }
        HostCandidate next = build(host.get().value());
        HostCandidate previous = byId.put(id, next);
        reorder(id, next);
        if (previous == null || ordered == null) {
            ordered = null;
        } else {
            ordered[positions.get(id)] = next;
        }
        return previous == null || !previous.capacity().equals(next.capacity());
    }

    private HostCandidate build(HostRecord host) {
        String id = host.getId();
        return PlacementInputs.candidate(host, view.alive(id).isPresent(),
                reachability.getOrDefault(id, MemberView.ABSENT),
                view.allocation(id).map(Versioned::value), Set.of());
    }

    private void updateVsi(String name) {
        GroupMember previous = grouped.remove(name);
        if (previous != null) {
            Map<String, Integer> hosts = groupHosts.get(previous.group());
            if (hosts.merge(previous.host(), -1, Integer::sum) == 0) {
                hosts.remove(previous.host());
            }
            if (hosts.isEmpty()) {
                groupHosts.remove(previous.group());
            }
        }
        view.vsi(name).flatMap(v -> member(v.value())).ifPresent(m -> add(name, m));
    }

    private void add(String name, GroupMember m) {
        grouped.put(name, m);
        groupHosts.computeIfAbsent(m.group(), g -> new HashMap<>()).merge(m.host(), 1, Integer::sum);
    }

    private static Optional<GroupMember> member(VsiRecord vsi) {
        String group = vsi.getSpec().getAntiAffinityGroup();
        return group.isEmpty() || vsi.getHost().isEmpty() ? Optional.empty()
                : Optional.of(new GroupMember(group, vsi.getHost()));
    }

    private HostCandidate[] ordered() {
        if (ordered == null) {
            ordered = byId.values().toArray(HostCandidate[]::new);
            positions = new HashMap<>(ordered.length * 2);
            for (int i = 0; i < ordered.length; i++) {
                positions.put(ordered[i].id(), i);
            }
        }
        return ordered;
    }

    private Map<String, String> gossipReachability() {
        Map<String, String> reach = new HashMap<>();
        for (MemberView m : members.get()) {
            if (MembershipConfig.KIND_AGENT.equals(m.kind())) {
                reach.put(m.id(), m.reachable() ? MemberView.REACHABLE : MemberView.UNREACHABLE);
            }
        }
        return reach;
    }
}
