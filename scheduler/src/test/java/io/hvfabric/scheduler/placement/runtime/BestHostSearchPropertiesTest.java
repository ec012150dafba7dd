package io.hvfabric.scheduler.placement.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementPolicy;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The ordered search chooses exactly the host a full scan of the pipeline chooses, on random clusters (one shape or
 * several, some hosts not ready, some over-allocated) filled by a random sequence of placements, with random hosts
 * passed apart. Bounded: at most 150 hosts and 60 placements per try.
 */
class BestHostSearchPropertiesTest {

    @Property(tries = 200)
    void choosesWhatTheFullScanChooses(@ForAll long seed, @ForAll @IntRange(min = 1, max = 150) int size) {
        Random random = new Random(seed);
        PlacementConfig config = new PlacementConfig(
                new OvercommitRatios(1 + random.nextInt(4), random.nextBoolean() ? 1.0 : 1.25, 1.0, 1.0),
                random.nextBoolean() ? PlacementPolicy.SPREAD : PlacementPolicy.PACK,
                new ScoreWeights(1 + random.nextInt(3), 1 + random.nextInt(3), random.nextInt(3)));
        PlacementPipeline pipeline = PlacementPipeline.fromConfig(config);
        BestHostSearch search = BestHostSearch.of(pipeline).orElseThrow();
        boolean oneShape = random.nextBoolean();
        List<HostCandidate> hosts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int vcpus = oneShape ? 32 : 4 << random.nextInt(4);
            long memory = oneShape ? 131072 : 8192L << random.nextInt(4);
            HostState state = random.nextInt(10) == 0 ? HostState.CORDONED : HostState.READY;
            Capacity allocated = random.nextInt(3) == 0 ? Capacity.ZERO : new Capacity(random.nextInt(vcpus * 5),
                    random.nextInt((int) memory + 2048), 0, 0);
            hosts.add(new HostCandidate(String.format("h%03d", random.nextInt(1000)) + "-" + i, state, true, "tcg",
                    "qemu64", new Capacity(vcpus, memory, 1000, 10_000), allocated, Set.of(), Map.of()));
        }
        int placements = 1 + random.nextInt(60);
        for (int p = 0; p < placements; p++) {
            PlacementRequest request = PlacementRequest.of("v" + p, new Capacity(random.nextInt(9),
                    random.nextInt(4) == 0 ? 0 : 512L << random.nextInt(6), 0, 0));
            Set<String> apartIds = hosts.stream().filter(h -> random.nextInt(8) == 0).map(HostCandidate::id)
                    .collect(Collectors.toCollection(HashSet::new));
            List<HostCandidate> apart = hosts.stream().filter(h -> apartIds.contains(h.id())).toList();
            List<HostCandidate> ordered = new ArrayList<>(hosts);
            Comparator<HostCandidate> byKey = Comparator.comparingDouble(search::key)
                    .thenComparing(HostCandidate::id);
            ordered.sort(search.leastUsedFirst() ? byKey : byKey.reversed());

            var expected = pipeline.place(request, hosts).chosenHost();
            var found = search.choose(request, apart, ordered.iterator(), apartIds, search.range(hosts));
            assertThat(found).as("request %s on %s", request, hosts).isEqualTo(expected);
            expected.ifPresent(id -> {
                int i = indexOf(hosts, id);
                hosts.set(i, hosts.get(i).withPlaced(request.demand(), null));
            });
        }
    }

    private static int indexOf(List<HostCandidate> hosts, String id) {
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.get(i).id().equals(id)) {
                return i;
            }
        }
        throw new AssertionError(id);
    }
}
