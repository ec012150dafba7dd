package io.hvfabric.scheduler.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ObservedCostModelTest {
    private static final long MIB = 1L << 20;

    private static ObservedCostModel.Observation obs(long ramMib, long sentMib, long ms) {
        return new ObservedCostModel.Observation(ramMib, sentMib * MIB, ms);
    }

    /** As measured in the lab: 256 MiB idle guests send ~93 MiB in about 2 s each. */
    private static final List<ObservedCostModel.Observation> LAB = List.of(
            obs(256, 93, 3000), obs(256, 93, 1000), obs(256, 93, 2000), obs(128, 89, 1000));

    @Test
    void calibratesSecondsPerRamMibAndThroughput() {
        ObservedCostModel.Calibration c = ObservedCostModel.calibrate(LAB);

        assertThat(c.secondsPerRamMib()).isCloseTo(7.0 / 896, within(1e-9));
        assertThat(c.throughputMibps()).isCloseTo(368.0 / 7, within(1e-9));
    }

    @Test
    void anIdleGuestTakesWhatGuestsOfItsSizeTook() {
        ObservedCostModel model = new ObservedCostModel(new PreCopyCostModel(), () -> LAB);

        assertThat(new PreCopyCostModel().predict(256, 0, 5_000).totalSeconds()).isLessThan(0.5);
        assertThat(model.predict(256, 0, 5_000).totalSeconds()).isCloseTo(256 * 7.0 / 896, within(1e-6));
    }

    @Test
    void aGuestDirtyingFasterThanTheObservedStreamDoesNotConvergeWhateverTheNic() {
        ObservedCostModel model = new ObservedCostModel(new PreCopyCostModel(), () -> LAB);

        // 10 Gbit/s NIC, but the stream moved ~53 MiB/s: 128 MiB/s of dirtying cannot be outrun.
        assertThat(new PreCopyCostModel().predict(256, 128, 10_000).converges()).isTrue();
        assertThat(model.predict(256, 128, 10_000).converges()).isFalse();
        assertThat(model.predict(256, 20, 10_000).totalSeconds())
                .isGreaterThan(model.predict(256, 0, 10_000).totalSeconds());
    }

    @Test
    void tooFewObservationsLeaveTheBaseModel() {
        PreCopyCostModel base = new PreCopyCostModel();
        assertThat(ObservedCostModel.calibrate(LAB.subList(0, 2))).isNull();
        ObservedCostModel model = new ObservedCostModel(base, List::of);
        assertThat(model.predict(512, 10, 5_000)).isEqualTo(base.predict(512, 10, 5_000));
    }
}
