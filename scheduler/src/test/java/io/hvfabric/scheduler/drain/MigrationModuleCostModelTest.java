package io.hvfabric.scheduler.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hvfabric.migration.MigrationCostModel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MigrationModuleCostModelTest {

    private static final Duration DOWNTIME = Duration.ofMillis(300);

    private final MoveCostModel module = new MigrationModuleCostModel(new MigrationCostModel(0.0), DOWNTIME);
    // No round limit in practice, so both models describe the same geometric series.
    private final MoveCostModel local = new PreCopyCostModel(DOWNTIME, 10_000);

    @Test
    void agreesWithTheLocalPreCopyModelWhenPreCopyConverges() {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            long memory = 256 + random.nextInt(65_536);
            long mbps = 1_000 + random.nextInt(24_000);
            double dirty = PreCopyCostModel.mibPerSecond(mbps) * 0.95 * random.nextDouble();
            MoveCost a = module.predict(memory, dirty, mbps);
            MoveCost b = local.predict(memory, dirty, mbps);

            assertThat(a.converges()).isTrue();
            assertThat(b.converges()).isTrue();
            assertThat(a.rounds()).as("rounds for %d MiB at %d Mbps, dirty %.1f", memory, mbps, dirty)
                    .isEqualTo(b.rounds());
            assertThat(a.totalSeconds()).isCloseTo(b.totalSeconds(), within(1e-6 * b.totalSeconds() + 1e-9));
            assertThat(a.downtimeSeconds()).isCloseTo(b.downtimeSeconds(), within(1e-6));
        }
    }

    @Test
    void aNonConvergingMoveGetsAFiniteForcedCostAndStaysFlagged() {
        MoveCost cost = module.predict(8_192, 2_000, 10_000);

        assertThat(cost.converges()).isFalse();
        assertThat(cost.totalSeconds()).isFinite().isGreaterThan(8_192 / PreCopyCostModel.mibPerSecond(10_000));
        assertThat(cost.downtimeSeconds()).isGreaterThan(DOWNTIME.toMillis() / 1000.0);
    }
}
