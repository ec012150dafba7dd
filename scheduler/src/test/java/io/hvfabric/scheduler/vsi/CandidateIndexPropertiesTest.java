package io.hvfabric.scheduler.vsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.common.membership.MemberView;
import io.hvfabric.common.membership.MembershipConfig;
import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementPolicy;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.PlacementResult;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import io.hvfabric.scheduler.placement.runtime.ScoreWeights;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.view.ViewFeed;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The incremental candidate index gives exactly what building every candidate from the view afresh (the way the
 * scheduler did before the index) gives, after any sequence of host, liveness, allocation, VSI and gossip changes,
 * read at any points in between, with any pending writes laid over it; and so placement chooses the same host and
 * explains a refusal the same way. Bounded: at most 10 hosts and 80 changes per try.
 */
class CandidateIndexPropertiesTest {
    private static final List<String> GROUPS = List.of("g1", "g2");

    @Property(tries = 250)
    void theIndexAgreesWithAFullRebuildAfterAnyChanges(@ForAll long seed, @ForAll @IntRange(min = 1, max = 10) int size) {
        Random random = new Random(seed);
        ViewFeed feed = new ViewFeed();
        List<MemberView> gossip = new ArrayList<>();
        PlacementInputs inputs = new PlacementInputs(feed.view(), () -> List.copyOf(gossip));
        PlacementPolicy policy = random.nextBoolean() ? PlacementPolicy.SPREAD : PlacementPolicy.PACK;
        PlacementPipeline pipeline = PlacementPipeline.fromConfig(new PlacementConfig(
                new OvercommitRatios(1 + random.nextInt(4), random.nextBoolean() ? 1.0 : 1.5, 1.0, 1.0), policy,
                new ScoreWeights(1 + random.nextInt(3), 1 + random.nextInt(3), random.nextInt(3))));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ids.add("h" + i);
        }
        List<String> vsiNames = List.of("v0", "v1", "v2", "v3", "v4", "v5");
        int changes = 1 + random.nextInt(80);
        for (int step = 0; step < changes; step++) {
            String host = ids.get(random.nextInt(ids.size()));
            switch (random.nextInt(9)) {
                case 0, 1 -> feed.put(Keys.Kind.HOST, host, hostRecord(host, random));
                case 2 -> feed.delete(Keys.Kind.HOST, host);
                case 3 -> feed.put(Keys.Kind.ALIVE, host, AliveRecord.newBuilder().setLeaseId(1).build());
                case 4 -> feed.delete(Keys.Kind.ALIVE, host);
                case 5 -> feed.put(Keys.Kind.HOST_ALLOCATION, host, allocation(random));
                case 6 -> {
                    String name = vsiNames.get(random.nextInt(vsiNames.size()));
                    if (random.nextInt(4) == 0) {
                        feed.delete(Keys.Kind.VSI, name);
                    } else {
                        feed.put(Keys.Kind.VSI, name, vsi(name, random, ids));
                    }
                }
                case 7 -> {
                    gossip.removeIf(m -> m.id().equals(host));
                    if (random.nextBoolean()) {
                        gossip.add(new MemberView("pekko://x@" + host, MembershipConfig.KIND_AGENT, host, "Up",
                                random.nextBoolean()));
                    }
                }
                default -> feed.delete(Keys.Kind.HOST_ALLOCATION, host);
            }
            if (random.nextInt(3) == 0) {
                check(inputs, feed.view(), gossip, pipeline, random, ids, vsiNames);
            }
        }
        check(inputs, feed.view(), gossip, pipeline, random, ids, vsiNames);
    }

    private static void check(PlacementInputs inputs, ClusterView view, List<MemberView> gossip,
                              PlacementPipeline pipeline, Random random, List<String> ids, List<String> vsiNames) {
        assertThat(inputs.candidates()).isEqualTo(FullRebuild.candidates(view, gossip));
        assertThat(inputs.largestHostVcpus()).isEqualTo(view.hostsUnordered().stream()
                .mapToInt(h -> h.value().getCapacity().getVcpus()).max().orElse(0));

        Optional<String> group = random.nextBoolean() ? Optional.empty()
                : Optional.of(GROUPS.get(random.nextInt(GROUPS.size())));
        Map<String, Optional<HostAllocation>> pendingAllocations = new LinkedHashMap<>();
        Map<String, Optional<VsiRecord>> pendingVsis = new LinkedHashMap<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            pendingAllocations.put(ids.get(random.nextInt(ids.size())),
                    random.nextInt(4) == 0 ? Optional.empty() : Optional.of(allocation(random)));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            String name = vsiNames.get(random.nextInt(vsiNames.size()));
            pendingVsis.put(name, random.nextInt(4) == 0 ? Optional.empty() : Optional.of(vsi(name, random, ids)));
        }
        List<HostCandidate> indexed = inputs.candidatesFor(group, pendingAllocations, pendingVsis);
        List<HostCandidate> rebuilt = FullRebuild.candidatesFor(view, gossip, group, pendingAllocations, pendingVsis);
        assertThat(sorted(indexed)).isEqualTo(sorted(rebuilt));

        PlacementRequest request = new PlacementRequest("new", new Capacity(1 + random.nextInt(16),
                512L << random.nextInt(6), random.nextInt(50), random.nextInt(3) * 1000L),
                group.orElse(null), null, null, null, Set.of());
        PlacementResult a = pipeline.place(request, indexed);
        PlacementResult b = pipeline.place(request, rebuilt);
        assertThat(a.chosenHost()).isEqualTo(b.chosenHost());
        assertThat(a.explain()).isEqualTo(b.explain());
        // The ordered search (not every host scored) chooses exactly what the full scan chooses.
        assertThat(inputs.choose(pipeline, request, pendingAllocations, pendingVsis))
                .as("ordered search vs full scan of %s", rebuilt).isEqualTo(b.chosenHost());
        if (random.nextInt(4) == 0 && !ids.isEmpty()) {
            PlacementRequest pinned = new PlacementRequest("pinned", request.demand(), request.antiAffinityGroup(),
                    ids.get(random.nextInt(ids.size())), null, null, Set.of());
            assertThat(inputs.choose(pipeline, pinned, pendingAllocations, pendingVsis))
                    .isEqualTo(pipeline.place(pinned, rebuilt).chosenHost());
        }
    }

    private static List<HostCandidate> sorted(List<HostCandidate> candidates) {
        List<HostCandidate> copy = new ArrayList<>(candidates);
        copy.sort(Comparator.comparing(HostCandidate::id));
        return copy;
    }

    private static HostRecord hostRecord(String id, Random random) {
        HostRecord.Builder host = HostRecord.newBuilder().setId(id).setAddress(id + ":7002")
                .setCapacity(Resources.newBuilder().setVcpus(4 << random.nextInt(4)).setMemoryMib(8192L << random.nextInt(4))
                        .setDiskGib(100 + random.nextInt(400)).setNicMbps(10_000))
                .setCapabilities(HostCapabilities.newBuilder().setAccelerator("tcg").setOverlayNetworks(random.nextBoolean())
                        .setUnderlayMtu(1500));
        if (random.nextInt(5) == 0) {
            host.setAdminState(random.nextBoolean() ? "CORDONED" : "DRAINING");
        }
        if (random.nextBoolean()) {
            host.putLabels("zone", "z" + random.nextInt(2));
        }
        return host.build();
    }

    private static HostAllocation allocation(Random random) {
        return HostAllocation.newBuilder().setAllocated(Resources.newBuilder().setVcpus(random.nextInt(40))
                .setMemoryMib(random.nextInt(40_000)).setDiskGib(random.nextInt(300)).setNicMbps(random.nextInt(9000))
                .setVsiCount(random.nextInt(5))).build();
    }

    private static VsiRecord vsi(String name, Random random, List<String> ids) {
        return VsiRecord.newBuilder().setHost(random.nextInt(5) == 0 ? "" : ids.get(random.nextInt(ids.size())))
                .setSpec(VsiSpec.newBuilder().setName(name).setVcpus(1)
                        .setAntiAffinityGroup(random.nextInt(3) == 0 ? "" : GROUPS.get(random.nextInt(GROUPS.size()))))
                .build();
    }

    /** The candidates as the scheduler built them before the index: every host from the view, every time. */
    private static final class FullRebuild {
        static List<HostCandidate> candidates(ClusterView view, List<MemberView> gossip) {
            Map<String, Set<String>> groupsByHost = new HashMap<>();
            for (Versioned<VsiRecord> v : view.vsis()) {
                addGroup(groupsByHost, v.value());
            }
            return build(view, gossip, Map.of(), groupsByHost, view.hosts());
        }

        static List<HostCandidate> candidatesFor(ClusterView view, List<MemberView> gossip, Optional<String> group,
                                                 Map<String, Optional<HostAllocation>> pendingAllocations,
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
            return build(view, gossip, pendingAllocations, groupsByHost, view.hosts());
        }

        private static List<HostCandidate> build(ClusterView view, List<MemberView> gossip,
                                                 Map<String, Optional<HostAllocation>> pendingAllocations,
                                                 Map<String, Set<String>> groupsByHost, List<Versioned<HostRecord>> hosts) {
            Map<String, String> reachability = new HashMap<>();
            for (MemberView m : gossip) {
                if (MembershipConfig.KIND_AGENT.equals(m.kind())) {
                    reachability.put(m.id(), m.reachable() ? MemberView.REACHABLE : MemberView.UNREACHABLE);
                }
            }
            List<HostCandidate> candidates = new ArrayList<>();
            for (Versioned<HostRecord> v : hosts) {
                String id = v.value().getId();
                Optional<HostAllocation> pending = pendingAllocations.get(id);
                Optional<HostAllocation> allocation = pending != null ? pending
                        : view.allocation(id).map(Versioned::value);
                candidates.add(PlacementInputs.candidate(v.value(), view.alive(id).isPresent(),
                        reachability.getOrDefault(id, MemberView.ABSENT), allocation,
                        groupsByHost.getOrDefault(id, Set.of())));
            }
            return candidates;
        }

        private static void addGroup(Map<String, Set<String>> groupsByHost, VsiRecord vsi) {
            String group = vsi.getSpec().getAntiAffinityGroup();
            if (!group.isEmpty() && !vsi.getHost().isEmpty()) {
                groupsByHost.computeIfAbsent(vsi.getHost(), h -> new HashSet<>()).add(group);
            }
        }
    }
}
