package io.hvfabric.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.hvfabric.proto.v1.MigrationObjective;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MigrationPolicyPlanTest {

    private static final MigrationObjective DEFAULT = MigrationObjective.getDefaultInstance();
    private final MigrationPolicy defaults = new MigrationPolicy(PolicyConfig.defaults());
    private final MigrationPolicy noPostcopy = new MigrationPolicy(PolicyConfig.builder().postcopyAllowed(false).build());

    @Test
    void defaultPlanIsPrecopyWithPostcopyArmedAndTheBandwidthCapLifted() {
        StartPlan plan = defaults.plan(DEFAULT, 1024, 0, Optional.empty());
        assertThat(plan.rung()).isEqualTo(Rung.PRECOPY);
        assertThat(plan.qemuCapabilities()).containsExactly(
                entry("multifd", false), entry("auto-converge", false), entry("postcopy-ram", true));
        assertThat(plan.downtimeLimitMs()).isEqualTo(150); // 300 ms objective less the fabric's 150 ms switchover reserve
        assertThat(plan.maxBandwidthMibps()).isEqualTo(10_240);
        assertThat(plan.qemuParameters()).containsExactly(
                entry("downtime-limit", 150L), entry("max-bandwidth", 10_240L * 1024 * 1024));
        assertThat(plan.reason()).contains("post-copy armed");
        assertThat(plan.prediction()).isEmpty();
    }

    @Test
    void maxDurationIsDerivedFromMemoryOverTheLinkWithAFloor() {
        // unknown link: assumed 100 MiB/s; 10 copies of 1024 MiB = 102.4 s
        assertThat(defaults.plan(DEFAULT, 1024, 0, Optional.empty()).maxDurationMs()).isEqualTo(102_400);
        // fast link: 10 × 1024 / 1000 = 10.24 s, below the 20 s floor
        assertThat(defaults.plan(DEFAULT, 1024, 1000, Optional.empty()).maxDurationMs()).isEqualTo(20_000);
        // the objective's bandwidth cap slows the expected transfer: 10 × 1024 / 64 = 160 s
        var capped = MigrationObjective.newBuilder().setMaxBandwidthMibps(64).build();
        assertThat(defaults.plan(capped, 1024, 1000, Optional.empty()).maxDurationMs()).isEqualTo(160_000);
    }

    @Test
    void objectiveOverridesTheDefaults() {
        var objective = MigrationObjective.newBuilder()
                .setMaxDowntimeMs(50).setMaxDurationMs(5_000).setMaxBandwidthMibps(64).build();
        StartPlan plan = defaults.plan(objective, 1024, 1000, Optional.empty());
        assertThat(plan.downtimeLimitMs()).isEqualTo(30); // never below QEMU's floor
        assertThat(plan.maxDurationMs()).isEqualTo(5_000);
        assertThat(plan.maxBandwidthMibps()).isEqualTo(64);
        assertThat(plan.maxBandwidthBytesPerSecond()).isEqualTo(64L * 1024 * 1024);
        assertThat(plan.expectedBandwidthMibps()).isEqualTo(64);
    }

    @Test
    void configuredDefaultsApplyWhenTheObjectiveIsZero() {
        var policy = new MigrationPolicy(PolicyConfig.builder()
                .defaultMaxDowntimeMs(120).defaultMaxBandwidthMibps(500).defaultMaxDurationMs(90_000).build());
        StartPlan plan = policy.plan(DEFAULT, 1024, 0, Optional.empty());
        assertThat(plan.downtimeLimitMs()).isEqualTo(30);
        assertThat(plan.maxBandwidthMibps()).isEqualTo(500);
        assertThat(plan.maxDurationMs()).isEqualTo(90_000);
    }

    @Test
    void withoutPostcopyLargeGuestsUseMultifdAndAutoConverge() {
        StartPlan plan = noPostcopy.plan(DEFAULT, 4096, 0, Optional.empty());
        assertThat(plan.rung()).isEqualTo(Rung.MULTIFD);
        assertThat(plan.qemuCapabilities()).containsExactly(
                entry("multifd", true), entry("auto-converge", true), entry("postcopy-ram", false));
        assertThat(plan.targetQemuCapabilities()).containsExactly(entry("multifd", true), entry("postcopy-ram", false));
        assertThat(plan.qemuParameters()).contains(entry("multifd-channels", 4L), entry("cpu-throttle-initial", 20L),
                entry("cpu-throttle-increment", 10L), entry("max-cpu-throttle", 99L));
        assertThat(plan.reason()).contains("multifd (4 channels)", "auto-converge armed");
    }

    @Test
    void withoutPostcopySmallGuestsStayOnPlainPrecopy() {
        StartPlan plan = noPostcopy.plan(DEFAULT, 512, 0, Optional.empty());
        assertThat(plan.rung()).isEqualTo(Rung.PRECOPY);
        assertThat(plan.multifd()).isFalse();
        assertThat(plan.autoConverge()).isTrue();
        assertThat(plan.qemuParameters()).doesNotContainKey("multifd-channels");
    }

    @Test
    void targetArmsTheSameCapabilitiesWithoutKnowingLinkOrDirtyRate() {
        for (MigrationPolicy policy : new MigrationPolicy[] {defaults, noPostcopy}) {
            for (long memory : new long[] {256, 1024, 8192}) {
                StartPlan source = policy.plan(DEFAULT, memory, 937, Optional.of(400.0));
                StartPlan target = policy.plan(DEFAULT, memory, 0, Optional.empty());
                assertThat(target.targetQemuCapabilities()).isEqualTo(source.targetQemuCapabilities());
                assertThat(target.multifdChannels()).isEqualTo(source.multifdChannels());
            }
        }
    }

    @Test
    void lastKnownDirtyRateInformsThePrediction() {
        StartPlan hot = defaults.plan(DEFAULT, 1024, 100, Optional.of(150.0));
        assertThat(hot.prediction()).hasValueSatisfying(p -> assertThat(p.converges()).isFalse());
        assertThat(hot.reason()).contains("at the last known dirty rate 150 MiB/s over 100 MiB/s pre-copy alone will not converge");
        StartPlan calm = defaults.plan(DEFAULT, 1024, 100, Optional.of(10.0));
        assertThat(calm.prediction()).hasValueSatisfying(p -> assertThat(p.converges()).isTrue());
    }

    @Test
    void badInputIsRejectedNamingTheField() {
        assertThatThrownBy(() -> defaults.plan(MigrationObjective.newBuilder().setMaxDowntimeMs(-1).build(), 1024, 0,
                Optional.empty())).hasMessage("objective.max_downtime_ms must be >= 0 (0 = fabric default), got -1");
        assertThatThrownBy(() -> defaults.plan(DEFAULT, 0, 0, Optional.empty()))
                .hasMessage("memoryMib must be > 0, got 0");
        assertThatThrownBy(() -> defaults.plan(DEFAULT, 1024, -5, Optional.empty()))
                .hasMessageContaining("linkMibps must be a finite number >= 0");
        assertThatThrownBy(() -> defaults.plan(DEFAULT, 1024, 0, Optional.of(Double.NaN)))
                .hasMessageContaining("lastKnownDirtyRateMibps");
    }

    @Test
    void vetoesMovesThatWouldNotConvergeOrWouldTakeTooLong() {
        assertThat(defaults.vetoNonConverging(1024, 5, 100, DEFAULT)).isEmpty();
        assertThat(defaults.vetoNonConverging(1024, 150, 100, DEFAULT)).hasValue(
                "a 1024 MiB guest dirtying 150 MiB/s will not converge over 100 MiB/s within 300 ms downtime");
        var quick = MigrationObjective.newBuilder().setMaxDurationMs(5_000).build();
        assertThat(defaults.vetoNonConverging(1024, 5, 100, quick)).hasValueSatisfying(
                reason -> assertThat(reason).contains("would take 10.", "past the max duration 5.0 s"));
    }

    @Test
    void predictionUsesTheObjectivesBandwidthAndDowntime() {
        var objective = MigrationObjective.newBuilder().setMaxBandwidthMibps(50).setMaxDowntimeMs(100).build();
        var p = defaults.predict(1000, 0, 1000, objective);
        assertThat(p.seconds()).isEqualTo(20.0);
    }

    @Test
    void planRefusesImpossibleCombinations() {
        assertThatThrownBy(() -> new StartPlan(Rung.MULTIFD, true, 4, false, true, 300, 100, 1000, 20, 10, 99, 1024,
                100, Optional.empty(), "")).hasMessageContaining("multifd and postcopyRam");
    }
}
