package io.hvfabric.scheduler.placement.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.scheduler.placement.api.OvercommitRatios;
import io.hvfabric.scheduler.placement.api.PlacementPolicy;
import io.hvfabric.scheduler.placement.plugins.score.BalanceScore;
import io.hvfabric.scheduler.placement.plugins.score.PackScore;
import io.hvfabric.scheduler.placement.plugins.score.SpreadScore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PlacementConfigTest {

    @Test
    void defaultsSpreadWithBalanceAndDefaultRatios() {
        assertThat(PlacementConfig.DEFAULT.policy()).isEqualTo(PlacementPolicy.SPREAD);
        assertThat(PlacementConfig.DEFAULT.ratios()).isEqualTo(OvercommitRatios.DEFAULT);
        assertThat(PlacementPipeline.fromConfig(PlacementConfig.DEFAULT).scorerNames())
                .containsExactly(SpreadScore.NAME, BalanceScore.NAME);
    }

    @Test
    void packPolicyUsesPackScoreAndZeroBalanceWeightDropsBalance() {
        var config = new PlacementConfig(OvercommitRatios.DEFAULT, PlacementPolicy.PACK, new ScoreWeights(0, 3, 0));

        assertThat(PlacementPipeline.fromConfig(config).scorerNames()).containsExactly(PackScore.NAME);
    }

    @Test
    void policyScorerMustHaveWeight() {
        assertThatThrownBy(() ->
                        new PlacementConfig(OvercommitRatios.DEFAULT, PlacementPolicy.PACK, new ScoreWeights(2, 0, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PlacementConfig.weights.pack must be >= 1 when policy is PACK");
    }

    @Test
    void weightsOutOfRangeAreRejectedNamingTheField() {
        assertThatThrownBy(() -> new ScoreWeights(2, 2, -1))
                .hasMessage("ScoreWeights.balance must be between 0 and 100, got -1");
        assertThatThrownBy(() -> new ScoreWeights(101, 2, 1)).hasMessageContaining("ScoreWeights.spread");
    }

    @Test
    void missingPartsAreRejected() {
        assertThatThrownBy(() -> new PlacementConfig(null, PlacementPolicy.SPREAD, ScoreWeights.DEFAULT))
                .hasMessageContaining("PlacementConfig.ratios must be set");
        assertThatThrownBy(() -> new PlacementConfig(OvercommitRatios.DEFAULT, null, ScoreWeights.DEFAULT))
                .hasMessageContaining("PlacementConfig.policy must be set");
    }
}
