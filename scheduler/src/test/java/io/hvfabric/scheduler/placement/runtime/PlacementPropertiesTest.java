package io.hvfabric.scheduler.placement.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementPolicy;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.PlacementResult;
import io.hvfabric.scheduler.placement.api.RankedHost;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the standard pipeline over random clusters and random request sequences. Time is bounded by the
 * number of tries and the generated sizes (at most 8 hosts and 30 requests per try).
 */
class PlacementPropertiesTest {

    private static final List<String> GROUPS = List.of("g1", "g2", "g3");

    record Scenario(
            OvercommitRatios ratios, PlacementPolicy policy, List<HostCandidate> hosts, List<PlacementRequest> requests) {

        PlacementPipeline pipeline() {
            return PlacementPipeline.fromConfig(new PlacementConfig(ratios, policy, ScoreWeights.DEFAULT));
        }
    }

    /**
     * Placing each request and adding its demand to the chosen host never pushes a host past capacity × ratio; a
     * request is rejected only when brute force finds no host for it, a chosen host is one brute force accepts, and
     * rank lists exactly the hosts brute force accepts, best first.
     */
    @Property(tries = 300)
    void placementsNeverOvercommitAndRejectOnlyWhenNothingFits(@ForAll("scenarios") Scenario scenario) {
        PlacementPipeline pipeline = scenario.pipeline();
        List<HostCandidate> hosts = new ArrayList<>(scenario.hosts());
        for (PlacementRequest request : scenario.requests()) {
            PlacementResult result = pipeline.place(request, hosts);
            Set<String> feasible = hosts.stream()
                    .filter(h -> bruteForceFits(request, h, scenario.ratios()))
                    .map(HostCandidate::id)
                    .collect(Collectors.toSet());
            List<RankedHost> ranked = pipeline.rank(request, hosts);
            assertThat(ranked).extracting(RankedHost::hostId).containsExactlyInAnyOrderElementsOf(feasible);
            assertThat(ranked).extracting(RankedHost::score).isSortedAccordingTo(Comparator.reverseOrder());

            if (result.chosenHost().isEmpty()) {
                assertThat(feasible).as(result.explain()).isEmpty();
                continue;
            }
            String chosen = result.chosenHost().get();
            assertThat(feasible).as(result.explain()).contains(chosen);
            hosts.replaceAll(h -> h.id().equals(chosen) ? h.withPlaced(request.demand(), request.antiAffinityGroup()) : h);
            for (HostCandidate h : hosts) {
                assertWithinOvercommit(h, scenario.ratios());
            }
        }
    }

    /** The same input gives the same host and score, whatever order the hosts come in; rank agrees with place. */
    @Property(tries = 300)
    void placementIsDeterministicAndOrderIndependent(
            @ForAll("scenarios") Scenario scenario, @ForAll long shuffleSeed) {
        PlacementPipeline pipeline = scenario.pipeline();
        List<HostCandidate> shuffled = new ArrayList<>(scenario.hosts());
        Collections.shuffle(shuffled, new Random(shuffleSeed));

        for (PlacementRequest request : scenario.requests()) {
            PlacementResult first = pipeline.place(request, scenario.hosts());
            PlacementResult again = pipeline.place(request, scenario.hosts());
            PlacementResult reordered = pipeline.place(request, shuffled);
            List<RankedHost> ranked = pipeline.rank(request, shuffled);

            assertThat(again.chosenHost()).isEqualTo(first.chosenHost());
            assertThat(reordered.chosenHost()).isEqualTo(first.chosenHost());
            assertThat(reordered.scores()).isEqualTo(first.scores());
            assertThat(ranked.stream().map(RankedHost::hostId).findFirst()).isEqualTo(first.chosenHost());
            assertThat(ranked).hasSize(first.feasibleCount());
        }
    }

    /** An independent statement of the placement rules, deliberately not sharing code with the plugins. */
    private static boolean bruteForceFits(PlacementRequest r, HostCandidate h, OvercommitRatios ratios) {
        return h.state() == HostState.READY
                && h.schedulable()
                && (r.requiredHost() == null || r.requiredHost().equals(h.id()))
                && !r.excludedHosts().contains(h.id())
                && (r.requiredAccelerator() == null || r.requiredAccelerator().equals(h.accelerator()))
                && (r.requiredCpuModel() == null || r.requiredCpuModel().equals(h.cpuModel()))
                && (r.antiAffinityGroup() == null || !h.antiAffinityGroups().contains(r.antiAffinityGroup()))
                && h.allocated().vcpus() + r.demand().vcpus() <= h.capacity().vcpus() * ratios.cpu()
                && h.allocated().memoryMib() + r.demand().memoryMib() <= h.capacity().memoryMib() * ratios.memory()
                && h.allocated().diskGib() + r.demand().diskGib() <= h.capacity().diskGib() * ratios.disk()
                && h.allocated().nicMbps() + r.demand().nicMbps() <= h.capacity().nicMbps() * ratios.nic();
    }

    private static void assertWithinOvercommit(HostCandidate h, OvercommitRatios ratios) {
        assertThat((double) h.allocated().vcpus()).as("cpu of " + h).isLessThanOrEqualTo(h.capacity().vcpus() * ratios.cpu());
        assertThat((double) h.allocated().memoryMib())
                .as("memory of " + h)
                .isLessThanOrEqualTo(h.capacity().memoryMib() * ratios.memory());
        assertThat((double) h.allocated().diskGib()).as("disk of " + h).isLessThanOrEqualTo(h.capacity().diskGib() * ratios.disk());
        assertThat((double) h.allocated().nicMbps()).as("nic of " + h).isLessThanOrEqualTo(h.capacity().nicMbps() * ratios.nic());
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<OvercommitRatios> ratios = Combinators.combine(
                        Arbitraries.of(1.0, 2.0, 4.0, 8.0),
                        Arbitraries.of(0.5, 1.0, 1.5),
                        Arbitraries.of(1.0, 1.7),
                        Arbitraries.of(1.0, 0.9))
                .as(OvercommitRatios::new);
        return ratios.flatMap(r -> Combinators.combine(
                        Arbitraries.of(PlacementPolicy.class),
                        hostSpecs(r).list().ofMinSize(1).ofMaxSize(8),
                        requests().list().ofMinSize(1).ofMaxSize(30))
                .as((policy, specs, requests) -> new Scenario(r, policy, withIds(specs), requests)));
    }

    /** Hosts get ids h0, h1, ... by position, so ids are unique and requests can pin to them. */
    private static List<HostCandidate> withIds(List<HostSpec> specs) {
        List<HostCandidate> hosts = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            hosts.add(specs.get(i).toHost("h" + i));
        }
        return hosts;
    }

    record HostSpec(HostState state, boolean schedulable, String accelerator, String cpuModel, Capacity capacity,
            Capacity allocated, Set<String> groups) {

        HostCandidate toHost(String id) {
            return new HostCandidate(id, state, schedulable, accelerator, cpuModel, capacity, allocated, groups, null);
        }
    }

    private Arbitrary<HostSpec> hostSpecs(OvercommitRatios ratios) {
        Arbitrary<Capacity> capacities = Combinators.combine(
                        Arbitraries.integers().between(0, 32),
                        Arbitraries.longs().between(0, 65_536),
                        Arbitraries.longs().between(0, 500),
                        Arbitraries.longs().between(0, 10_000))
                .as(Capacity::new);
        Arbitrary<double[]> fills = Arbitraries.doubles().between(0.0, 1.0).array(double[].class).ofSize(4);
        Arbitrary<Capacity[]> capacityAndAllocation = Combinators.combine(capacities, fills)
                .as((c, f) -> new Capacity[] {c, allocationWithin(c, f, ratios)});
        return Combinators.combine(
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(8, Arbitraries.just(HostState.READY)),
                                net.jqwik.api.Tuple.of(2, Arbitraries.of(HostState.class))),
                        Arbitraries.of(true, true, true, false),
                        Arbitraries.of("kvm", "tcg"),
                        Arbitraries.of("EPYC", "Skylake"),
                        capacityAndAllocation,
                        Arbitraries.subsetOf(GROUPS))
                .as((state, schedulable, accel, model, ca, groups) ->
                        new HostSpec(state, schedulable, accel, model, ca[0], ca[1], groups));
    }

    /** An allocation that a correct scheduler could have produced: within floor(capacity × ratio) everywhere. */
    private static Capacity allocationWithin(Capacity c, double[] fill, OvercommitRatios r) {
        return new Capacity(
                (int) Math.floor(OvercommitRatios.effectiveCapacity(c.vcpus(), r.cpu()) * fill[0]),
                (long) Math.floor(OvercommitRatios.effectiveCapacity(c.memoryMib(), r.memory()) * fill[1]),
                (long) Math.floor(OvercommitRatios.effectiveCapacity(c.diskGib(), r.disk()) * fill[2]),
                (long) Math.floor(OvercommitRatios.effectiveCapacity(c.nicMbps(), r.nic()) * fill[3]));
    }

    private Arbitrary<PlacementRequest> requests() {
        Arbitrary<Capacity> demands = Combinators.combine(
                        Arbitraries.integers().between(0, 16),
                        Arbitraries.longs().between(0, 32_768),
                        Arbitraries.longs().between(0, 200),
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(3, Arbitraries.just(0L)),
                                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1, 3_000))))
                .as(Capacity::new);
        return Combinators.combine(
                        Arbitraries.integers().between(0, 9_999).map(i -> "vsi-" + i),
                        demands,
                        Arbitraries.of(GROUPS).injectNull(0.5),
                        Arbitraries.integers().between(0, 9).map(i -> "h" + i).injectNull(0.85),
                        Arbitraries.of("kvm", "tcg").injectNull(0.7),
                        Arbitraries.of("EPYC", "Skylake").injectNull(0.8),
                        Arbitraries.integers().between(0, 9).map(i -> "h" + i).set().ofMaxSize(2))
                .as(PlacementRequest::new);
    }
}
