package io.hvfabric.scheduler.placement.plugins.score;

import static io.hvfabric.scheduler.placement.HostBuilder.host;
import static io.hvfabric.scheduler.placement.RequestBuilder.vsi;
import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PackScoreTest {

    private final PackScore score = new PackScore();
    private final PlacementContext ctx = new PlacementContext(OvercommitRatios.DEFAULT);
    private final PlacementRequest request = vsi("a").demand(2, 4_096, 10, 0).build();

    @Test
    void scoresUtilizationAfterPlacementAveragedOverCpuAndMemory() {
        // cpu 2/64, memory 4096/65536 → 0.046875 → 5
        assertThat(score.score(request, host("h1").capacity(16, 65_536, 100, 0).build(), ctx)).isEqualTo(5);
    }

    @Test
    void prefersTheTighterFit() {
        long empty = score.score(request, host("h1").build(), ctx);
        long half = score.score(request, host("h2").allocated(32, 32_768, 0, 0).build(), ctx);

        assertThat(half).isGreaterThan(empty);
    }

    @Test
    void hostFilledExactlyByThePlacementScoresTheMaximum() {
        var host = host("h1").capacity(1, 8_192, 100, 0).allocated(2, 4_096, 0, 0).build();

        assertThat(score.score(request, host, ctx)).isEqualTo(100);
    }
}
