package io.hvfabric.agent.migration;

import io.hvfabric.agent.qmp.QmpException;
import io.hvfabric.migration.Decision;
import io.hvfabric.migration.MigrationPolicy;
import io.hvfabric.migration.Rung;
import io.hvfabric.migration.StartPlan;
import io.hvfabric.proto.v1.MigrationProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Feeds the source's samples to {@link MigrationPolicy#decide} and carries out its decisions on QEMU. Decisions are
 * level-triggered, so the same one arrives again on the next sample until QEMU's state shows it took effect; the
 * one-shot commands (post-copy switch, cancel) are therefore sent once.
 */
final class MigrationSteering {
    private final MigrationPolicy policy;
    private final StartPlan plan;
    private final LongSupplier clockMs;
    private final long startedAtMs;
    private final List<MigrationProgress> samples = new ArrayList<>();
    private boolean postcopyRequested;
    private boolean abortRequested;
    private String abortReason = "";
    private int throttleIncrement;

    MigrationSteering(MigrationPolicy policy, StartPlan plan, LongSupplier clockMs) {
        this.policy = policy;
        this.plan = plan;
        this.clockMs = clockMs;
        this.startedAtMs = clockMs.getAsLong();
        this.throttleIncrement = plan.cpuThrottleIncrementPercent();
    }

    /** Decides on {@code sample}, applies the action, and returns the sample stamped with rung and reason. */
    MigrationProgress step(MigrationProgress sample, MigrationQmp qmp) throws QmpException {
        samples.add(sample);
        if (abortRequested) {
            // QEMU is tearing down (cancelling → cancelled): keep saying why.
            return sample.toBuilder().setRung(Rung.ABORT.wireName()).setReason(abortReason).build();
        }
        Decision d = policy.decide(samples, plan, clockMs.getAsLong() - startedAtMs);
        switch (d.action()) {
            case CONTINUE -> { }
            case RAISE_THROTTLE -> {
                int step = d.cpuThrottleIncrementPercent().getAsInt();
                if (step != throttleIncrement) {
                    qmp.setParameters(Map.of("cpu-throttle-increment", step));
                    throttleIncrement = step;
                }
            }
            case START_POSTCOPY -> {
                if (!postcopyRequested) {
                    postcopyRequested = true;
                    qmp.startPostcopy();
                }
            }
            case ABORT -> {
                if (!abortRequested) {
                    abortRequested = true;
                    abortReason = d.reason();
                    qmp.cancel();
                }
            }
        }
        return sample.toBuilder().setRung(d.rung().wireName()).setReason(d.reason()).build();
    }

    boolean aborted() {
        return abortRequested;
    }
}
