package io.hvfabric.scheduler.placement.runtime;

import static io.hvfabric.scheduler.placement.HostBuilder.host;
import static io.hvfabric.scheduler.placement.RequestBuilder.vsi;
import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.placement.api.Dimension;
import io.hvfabric.scheduler.placement.api.FilterPlugin;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.HostState;
import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementPolicy;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.PlacementResult;
import io.hvfabric.scheduler.placement.api.RankedHost;
import io.hvfabric.scheduler.placement.api.ScorePlugin;
import io.hvfabric.scheduler.placement.api.Status;
import io.hvfabric.scheduler.placement.plugins.affinity.AntiAffinityFilter;
import io.hvfabric.scheduler.placement.plugins.fit.CpuFit;
import io.hvfabric.scheduler.placement.plugins.score.SpreadScore;
import io.hvfabric.scheduler.placement.plugins.state.HostStateFilter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PlacementPipelineTest {

    private final PlacementPipeline spread = PlacementPipeline.fromConfig(PlacementConfig.DEFAULT);
    private final PlacementPipeline pack =
            PlacementPipeline.fromConfig(PlacementConfig.DEFAULT.withPolicy(PlacementPolicy.PACK));

    private static List<HostCandidate> emptyHosts(int n) {
        List<HostCandidate> hosts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            hosts.add(host("h" + i).build());
        }
        return hosts;
    }

    /** Places each request in turn, recording it on the chosen host as the scheduler would; returns the choices. */
    private static List<String> placeAll(PlacementPipeline pipeline, List<HostCandidate> hosts, List<PlacementRequest> requests) {
        List<String> chosen = new ArrayList<>();
        for (PlacementRequest request : requests) {
            PlacementResult result = pipeline.place(request, hosts);
            String id = result.chosenHost().orElseThrow(() -> new AssertionError(result.explain()));
            chosen.add(id);
            hosts.replaceAll(h -> h.id().equals(id) ? h.withPlaced(request.demand(), request.antiAffinityGroup()) : h);
        }
        return chosen;
    }

    private static List<PlacementRequest> equalVsis(int n) {
        List<PlacementRequest> requests = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            requests.add(vsi("vsi-" + i).build());
        }
        return requests;
    }

    @Test
    void spreadPutsFourEqualVsisOnFourDifferentEmptyHosts() {
        List<String> chosen = placeAll(spread, emptyHosts(4), equalVsis(4));

        assertThat(chosen).containsExactly("h1", "h2", "h3", "h4");
    }

    @Test
    void packFillsOneHostFirst() {
        List<HostCandidate> hosts = emptyHosts(3);
        // 64 GiB hosts, 4 GiB VSIs: memory is full after 16
        List<String> chosen = placeAll(pack, hosts, equalVsis(17));

        assertThat(chosen.subList(0, 16)).containsOnly("h1");
        assertThat(chosen.get(16)).isEqualTo("h2");
    }

    @Test
    void antiAffinityKeepsGroupMembersApartEvenWhenPacking() {
        List<PlacementRequest> db = List.of(
                vsi("db-1").antiAffinityGroup("db").build(),
                vsi("db-2").antiAffinityGroup("db").build(),
                vsi("db-3").antiAffinityGroup("db").build());
        List<HostCandidate> hosts = emptyHosts(3);

        assertThat(placeAll(pack, hosts, db)).containsExactly("h1", "h2", "h3");

        PlacementResult fourth = pack.place(vsi("db-4").antiAffinityGroup("db").build(), hosts);
        assertThat(fourth.chosenHost()).isEmpty();
        assertThat(fourth.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(fourth.rejections().values()).allSatisfy(s -> assertThat(s.plugin()).contains(AntiAffinityFilter.NAME));
        assertThat(fourth.bindingDimension()).isEmpty();
    }

    @Test
    void cordonedHostIsNeverChosenEvenWhenItIsTheEmptiest() {
        List<HostCandidate> hosts = List.of(
                host("a-cordoned").state(HostState.CORDONED).build(),
                host("b-busy").allocated(40, 40_000, 100, 0).build());

        PlacementResult result = spread.place(vsi("x").build(), hosts);

        assertThat(result.chosenHost()).contains("b-busy");
        assertThat(result.statuses().get("a-cordoned").plugin()).contains(HostStateFilter.NAME);
    }

    @Test
    void explainNamesTheBindingDimension() {
        List<HostCandidate> hosts = List.of(
                host("h1").capacity(8, 8_192, 100, 0).allocated(0, 7_168, 0, 0).build(),
                host("h2").capacity(8, 8_192, 100, 0).allocated(0, 6_000, 0, 0).build(),
                host("h3").capacity(8, 8_192, 100, 0).allocated(0, 8_192, 0, 0).build(),
                host("h4").state(HostState.CORDONED).build());

        PlacementResult result = spread.place(vsi("web-9").demand(1, 4_096, 10, 0).build(), hosts);

        assertThat(result.chosenHost()).isEmpty();
        assertThat(result.bindingDimension()).contains(Dimension.MEMORY);
        assertThat(result.explain())
                .isEqualTo("no host fits vsi 'web-9': memory is the binding dimension "
                        + "(3 hosts short on memory, 1 host cordoned)");
        assertThat(result.statuses().get("h1").reason())
                .isEqualTo("memory: needs 4096 MiB, free 1024 MiB of 8192 MiB × 1.0");
    }

    @Test
    void failedPlacementListsEveryDimensionAHostIsShortIn() {
        List<HostCandidate> hosts = List.of(
                host("both").capacity(1, 1_024, 100, 0).build(),
                host("mem-only").capacity(64, 1_024, 100, 0).build());

        PlacementResult result = spread.place(vsi("big").demand(8, 4_096, 10, 0).build(), hosts);

        Status both = result.statuses().get("both");
        assertThat(both.plugin()).contains(CpuFit.NAME);
        assertThat(both.shortfalls()).extracting(s -> s.dimension()).containsExactly(Dimension.CPU, Dimension.MEMORY);
        assertThat(result.bindingDimension()).contains(Dimension.MEMORY);
    }

    @Test
    void equalScoresGoToTheLowestHostIdWhateverTheInputOrder() {
        List<HostCandidate> hosts = new ArrayList<>(List.of(host("h-b").build(), host("h-c").build(), host("h-a").build()));
        PlacementRequest request = vsi("x").build();

        for (int i = 0; i < 5; i++) {
            Collections.rotate(hosts, 1);
            assertThat(spread.place(request, hosts).chosenHost()).contains("h-a");
            assertThat(pack.place(request, hosts).chosenHost()).contains("h-a");
        }
    }

    @Test
    void migrationStyleRequestHonoursExclusionAndAccelerator() {
        List<HostCandidate> hosts = List.of(
                host("source").build(),
                host("tcg-host").accelerator("tcg").build(),
                host("target").allocated(8, 8_192, 0, 0).build());
        PlacementRequest migrate = vsi("vm").requiredAccelerator("kvm").excluding("source").build();

        assertThat(spread.place(migrate, hosts).chosenHost()).contains("target");
    }

    @Test
    void rankListsFeasibleHostsBestFirst() {
        List<HostCandidate> hosts = List.of(
                host("busy").allocated(32, 32_768, 0, 0).build(),
                host("down").state(HostState.DOWN).build(),
                host("idle").build(),
                host("idle-too").build());

        List<RankedHost> ranked = spread.rank(vsi("x").build(), hosts);

        assertThat(ranked).extracting(RankedHost::hostId).containsExactly("idle", "idle-too", "busy");
        assertThat(ranked.get(0).score()).isGreaterThan(ranked.get(2).score());
        assertThat(ranked.get(0).score()).isEqualTo(spread.place(vsi("x").build(), hosts).chosenScore().getAsLong());
    }

    @Test
    void failingFilterRejectsOnlyThatHostWithAnError() {
        FilterPlugin flaky = new FilterPlugin() {
            @Override
            public String name() {
                return "Flaky";
            }

            @Override
            public Status filter(PlacementRequest r, HostCandidate h, io.hvfabric.scheduler.placement.api.PlacementContext c) {
                if (h.id().equals("h1")) {
                    throw new IllegalStateException("boom");
                }
                return Status.success();
            }
        };
        var pipeline = new PlacementPipeline(
                List.of(flaky), List.of(new WeightedScorer(new SpreadScore(), 1)), OvercommitRatios.DEFAULT);

        PlacementResult result = pipeline.place(vsi("x").build(), emptyHosts(2));

        assertThat(result.chosenHost()).contains("h2");
        Status h1 = result.statuses().get("h1");
        assertThat(h1.code()).isEqualTo(Status.Code.ERROR);
        assertThat(h1.plugin()).contains("Flaky");
        assertThat(h1.reason()).contains("boom");
    }

    @Test
    void scorerOutsideTheRangeRejectsTheHostWithAnError() {
        ScorePlugin broken = new ScorePlugin() {
            @Override
            public String name() {
                return "Broken";
            }

            @Override
            public long score(PlacementRequest r, HostCandidate h, io.hvfabric.scheduler.placement.api.PlacementContext c) {
                return 140;
            }
        };
        var pipeline = new PlacementPipeline(List.of(), List.of(new WeightedScorer(broken, 1)), OvercommitRatios.DEFAULT);

        PlacementResult result = pipeline.place(vsi("x").build(), emptyHosts(1));

        assertThat(result.chosenHost()).isEmpty();
        assertThat(result.code()).isEqualTo(Status.Code.ERROR);
        assertThat(result.statuses().get("h1").reason()).contains("score 140").contains("0..100");
    }

    @Test
    void emptyClusterIsUnresolvable() {
        PlacementResult result = spread.place(vsi("x").build(), List.of());

        assertThat(result.chosenHost()).isEmpty();
        assertThat(result.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    }

    @Test
    void defaultFiltersRunUnresolvableChecksBeforeCapacity() {
        assertThat(spread.filterNames()).endsWith(CpuFit.NAME, "MemoryFit", "DiskFit", "NicBandwidthFit");
        assertThat(spread.filterNames().get(0)).isEqualTo(HostStateFilter.NAME);
    }
}
