package io.hvfabric.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.migration.Decision.Action;
import io.hvfabric.proto.v1.MigrationObjective;
import io.hvfabric.proto.v1.MigrationProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class MigrationPolicyDecideTest {

    private static final MigrationObjective DEFAULT = MigrationObjective.getDefaultInstance();
    private static final PolicyConfig NO_POSTCOPY = PolicyConfig.builder().postcopyAllowed(false).build();
    private static final PolicyConfig BARE_PRECOPY =
            PolicyConfig.builder().postcopyAllowed(false).autoConvergeEnabled(false).multifdEnabled(false).build();

    /** Feeds samples one at a time, as the agent would, and returns the first decision that is not CONTINUE. */
    private static Optional<Step> firstAction(MigrationPolicy policy, StartPlan plan, List<MigrationProgress> all) {
        List<MigrationProgress> seen = new ArrayList<>();
        for (MigrationProgress s : all) {
            seen.add(s);
            Decision d = policy.decide(seen, plan, s.getElapsedMs());
            if (d.action() != Action.CONTINUE) {
                return Optional.of(new Step(d, seen.size(), s));
            }
        }
        return Optional.empty();
    }

    private record Step(Decision decision, int samplesSeen, MigrationProgress at) {}

    @Test
    void idleGuestConvergesWithoutEverLeavingPrecopy() {
        var policy = new MigrationPolicy(PolicyConfig.defaults());
        var plan = policy.plan(DEFAULT, 512, 300, Optional.of(2.0));
        var samples = PrecopySimulator.guest().memoryMib(512).dirtyMibps(2).throughputMibps(300).run(60_000);

        assertThat(samples.get(samples.size() - 1).getStatus()).isEqualTo("completed");
        assertThat(firstAction(policy, plan, samples)).isEmpty();
        Decision mid = policy.decide(samples.subList(0, samples.size() - 1), plan, 1200);
        assertThat(mid.rung()).isEqualTo(Rung.PRECOPY);
        Decision end = policy.decide(samples, plan, samples.get(samples.size() - 1).getElapsedMs());
        assertThat(end.action()).isEqualTo(Action.CONTINUE);
        assertThat(end.reason()).contains("completed");
    }

    @Test
    void convergingDecisionExplainsItsEstimate() {
        var policy = new MigrationPolicy(PolicyConfig.defaults());
        var plan = policy.plan(DEFAULT, 2048, 100, Optional.empty());
        var samples = PrecopySimulator.guest().memoryMib(2048).dirtyMibps(20).throughputMibps(100).run(22_000);
        var d = policy.decide(samples, plan, 22_000);
        assertThat(d.action()).isEqualTo(Action.CONTINUE);
        assertThat(d.reason()).startsWith("converging: dirty rate 20 MiB/s < throughput 100 MiB/s");
        assertThat(d.estimate()).hasValueSatisfying(e -> {
            assertThat(e.converges()).isTrue();
            assertThat(e.predictedDowntimeMs()).isEqualTo(Math.round(e.remainingMib() / 100 * 1000));
        });
    }

    @Test
    void hotGuestSwitchesToPostcopyAfterKNonConvergingRounds() {
        var policy = new MigrationPolicy(PolicyConfig.defaults());
        var plan = policy.plan(DEFAULT, 1024, 95, Optional.empty());
        var samples = PrecopySimulator.guest().memoryMib(1024).dirtyMibps(180).throughputMibps(95).run(60_000);

        Step step = firstAction(policy, plan, samples).orElseThrow();
        assertThat(step.decision().action()).isEqualTo(Action.START_POSTCOPY);
        assertThat(step.decision().rung()).isEqualTo(Rung.POSTCOPY);
        assertThat(step.decision().reason()).isEqualTo("dirty rate 180 MiB/s ≥ throughput 95 MiB/s for 3 rounds: "
                + "pre-copy will not converge within 150 ms; switching to post-copy");
        // round 1 reports no dirty rate; rounds 2, 3 and 4 are the three non-converging ones
        assertThat(step.at().getRound()).isEqualTo(4);
    }

    @Test
    void fewerThanKBadRoundsOnlyWatches() {
        var policy = new MigrationPolicy(PolicyConfig.defaults());
        var plan = policy.plan(DEFAULT, 1024, 95, Optional.empty());
        var samples = PrecopySimulator.guest().memoryMib(1024).dirtyMibps(180).throughputMibps(95).run(60_000);
        int lastOfRound3 = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i).getRound() == 3) {
                lastOfRound3 = i;
            }
        }
        var d = policy.decide(samples.subList(0, lastOfRound3 + 1), plan, samples.get(lastOfRound3).getElapsedMs());
        assertThat(d.action()).isEqualTo(Action.CONTINUE);
        assertThat(d.reason()).contains("for 2 rounds", "watching (2 of 3 rounds)");
    }

    @Test
    void hotGuestIsAbortedWithAReasonWhenNoRungIsLeft() {
        var policy = new MigrationPolicy(BARE_PRECOPY);
        var plan = policy.plan(DEFAULT, 1024, 95, Optional.empty());
        assertThat(plan.postcopyRam()).isFalse();
        var samples = PrecopySimulator.guest().memoryMib(1024).dirtyMibps(180).throughputMibps(95).run(60_000);

        Decision d = firstAction(policy, plan, samples).orElseThrow().decision();
        assertThat(d.action()).isEqualTo(Action.ABORT);
        assertThat(d.rung()).isEqualTo(Rung.ABORT);
        assertThat(d.reason()).contains("dirty rate 180 MiB/s ≥ throughput 95 MiB/s for 3 rounds",
                "no rung left (post-copy not allowed, auto-converge not armed)");
    }

    @Test
    void withAutoConvergeTheThrottleIsRaisedThenTheMigrationAbortsAtMaxThrottle() {
        var policy = new MigrationPolicy(NO_POSTCOPY);
        var plan = policy.plan(DEFAULT, 512, 95, Optional.empty());
        assertThat(plan.autoConverge()).isTrue();

        var throttled40 = PrecopySimulator.guest().memoryMib(512).dirtyMibps(180).throughputMibps(95)
                .throttlePercent(40).run(60_000);
        Decision raise = firstAction(policy, plan, throttled40).orElseThrow().decision();
        assertThat(raise.action()).isEqualTo(Action.RAISE_THROTTLE);
        assertThat(raise.rung()).isEqualTo(Rung.AUTO_CONVERGE);
        assertThat(raise.cpuThrottleIncrementPercent()).hasValue(20);
        assertThat(raise.reason()).contains("CPU throttle at 40%, raising the throttle step to 20%");

        var throttledMax = PrecopySimulator.guest().memoryMib(512).dirtyMibps(180).throughputMibps(95)
                .throttlePercent(99).run(60_000);
        Decision abort = firstAction(policy, plan, throttledMax).orElseThrow().decision();
        assertThat(abort.action()).isEqualTo(Action.ABORT);
        assertThat(abort.reason()).contains("even with the guest throttled at 99%");
    }

    @Test
    void throttleStepDoublesEveryKBadRoundsUpToTheMaximum() {
        var policy = new MigrationPolicy(NO_POSTCOPY);
        var plan = policy.plan(DEFAULT, 512, 95, Optional.empty());
        var samples = PrecopySimulator.guest().memoryMib(512).dirtyMibps(180).throughputMibps(95)
                .throttlePercent(30).run(45_000);
        // 512 MiB at 95 MiB/s: ~5.4 s a round; by 45 s rounds 2..9 are stalled: 8 rounds = 2 × k, so the step is 10 << 2
        Decision late = policy.decide(samples, plan, samples.get(samples.size() - 1).getElapsedMs());
        assertThat(late.action()).isEqualTo(Action.RAISE_THROTTLE);
        assertThat(late.cpuThrottleIncrementPercent()).hasValue(40);
        assertThat(late.reason()).contains("for 8 rounds");
    }

    @Test
    void exceedingMaxDurationAborts() {
        var policy = new MigrationPolicy(PolicyConfig.defaults());
        var objective = MigrationObjective.newBuilder().setMaxDurationMs(5_000).build();
        var plan = policy.plan(objective, 4096, 100, Optional.empty());
        // a converging, idle guest that simply needs ~41 s on this link
        var samples = PrecopySimulator.guest().memoryMib(4096).dirtyMibps(0).throughputMibps(100).run(5_100);

        Decision d = policy.decide(samples, plan, 5_100);
        assertThat(d.action()).isEqualTo(Action.ABORT);
        assertThat(d.rung()).isEqualTo(Rung.ABORT);
        assertThat(d.reason()).startsWith("ran 5.1 s, past the max duration 5.0 s, with ").contains("MiB still to send");
    }

    @Test
    void convergingButTooSlowSwitchesToPostcopyBeforeTheDeadline() {
        var policy = new MigrationPolicy(PolicyConfig.defaults());
        var objective = MigrationObjective.newBuilder().setMaxDurationMs(60_000).build();
        var plan = policy.plan(objective, 4096, 95, Optional.empty());
        // D/B = 0.84: converges, but only after ~4096 / 0.16 / 95 ≈ 270 s
        var samples = PrecopySimulator.guest().memoryMib(4096).dirtyMibps(80).throughputMibps(95).run(59_000);

        Step step = firstAction(policy, plan, samples).orElseThrow();
        assertThat(step.decision().action()).isEqualTo(Action.START_POSTCOPY);
        assertThat(step.decision().reason()).contains("pre-copy predicted to end at", "past the max duration 60.0 s",
                "for 3 samples");
        assertThat(step.at().getElapsedMs()).isLessThan(60_000);
    }

    @Test
    void postcopyIsNeverAbortedEvenPastTheDeadline() {
        var policy = new MigrationPolicy(PolicyConfig.defaults());
        var plan = policy.plan(MigrationObjective.newBuilder().setMaxDurationMs(1_000).build(), 1024, 95,
                Optional.empty());
        var sample = MigrationProgress.newBuilder().setStatus("postcopy-active").setRound(5)
                .setRemainingBytes(100L << 20).setThroughputMibps(95).setElapsedMs(9_000).build();
        Decision d = policy.decide(List.of(sample), plan, 9_000);
        assertThat(d.action()).isEqualTo(Action.CONTINUE);
        assertThat(d.rung()).isEqualTo(Rung.POSTCOPY);
    }

    @Test
    void noSamplesMeansContinueOnThePlannedRung() {
        var policy = new MigrationPolicy(BARE_PRECOPY);
        var plan = policy.plan(DEFAULT, 1024, 0, Optional.empty());
        Decision d = policy.decide(List.of(), plan, 0);
        assertThat(d.action()).isEqualTo(Action.CONTINUE);
        assertThat(d.rung()).isEqualTo(Rung.PRECOPY);
        assertThat(d.estimate()).isEmpty();
    }

    @Test
    void throughputIsDerivedFromBytesWhenTheAgentLeavesItUnset() {
        var policy = new MigrationPolicy(PolicyConfig.defaults());
        var plan = policy.plan(DEFAULT, 1024, 0, Optional.empty());
        List<MigrationProgress> samples = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            samples.add(MigrationProgress.newBuilder().setStatus("active").setRound(1)
                    .setTransferredBytes(i * (50L << 20)).setRemainingBytes((1024L - 50L * i) << 20)
                    .setElapsedMs(i * 500L).build());
        }
        Decision d = policy.decide(samples, plan, 1500);
        assertThat(d.estimate()).hasValueSatisfying(e -> assertThat(e.throughputMibps()).isEqualTo(100.0));
    }

    @Test
    void decisionsAreLevelTriggered() {
        var policy = new MigrationPolicy(PolicyConfig.defaults());
        var plan = policy.plan(DEFAULT, 1024, 95, Optional.empty());
        var samples = PrecopySimulator.guest().memoryMib(1024).dirtyMibps(180).throughputMibps(95).run(10_000);
        assertThat(policy.decide(samples, plan, 10_000)).isEqualTo(policy.decide(List.copyOf(samples), plan, 10_000));
    }

    @Test
    void rejectsBadArguments() {
        var policy = new MigrationPolicy(PolicyConfig.defaults());
        var plan = policy.plan(DEFAULT, 1024, 95, Optional.empty());
        assertThatThrownBy(() -> policy.decide(List.of(), plan, -1)).hasMessageContaining("elapsedMs must be >= 0");
        assertThatThrownBy(() -> policy.decide(null, plan, 0)).hasMessageContaining("samples");
    }
}
