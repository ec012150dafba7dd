package io.hvfabric.migration;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One step of the convergence ladder. Decisions are level-triggered: the same samples give the same decision, and
 * applying a decision twice is harmless (RAISE_THROTTLE names an absolute parameter value, not a delta).
 *
 * @param action                      what the source agent does now
 * @param rung                        the rung in use after the action (for Migration.rung and progress samples)
 * @param reason                      why, for an operator
 * @param cpuThrottleIncrementPercent with RAISE_THROTTLE: the cpu-throttle-increment to set
 * @param estimate                    what the decision was based on, when the samples allowed an estimate
 */
public record Decision(
        Action action,
        Rung rung,
        String reason,
        OptionalInt cpuThrottleIncrementPercent,
        Optional<ConvergenceEstimate> estimate) {

    public enum Action {
        /** Keep going as is. Also returned once QEMU reports an end state: there is nothing left to decide. */
        CONTINUE,
        /** Set cpu-throttle-increment to {@link #cpuThrottleIncrementPercent} (auto-converge is armed). */
        RAISE_THROTTLE,
        /** migrate-start-postcopy (postcopy-ram is armed on both sides). */
        START_POSTCOPY,
        /** migrate_cancel: the VSI stays on the source. */
        ABORT
    }

    public Decision {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(rung, "rung");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(cpuThrottleIncrementPercent, "cpuThrottleIncrementPercent");
        Objects.requireNonNull(estimate, "estimate");
        if ((action == Action.RAISE_THROTTLE) != cpuThrottleIncrementPercent.isPresent()) {
            throw new IllegalArgumentException("cpuThrottleIncrementPercent must be set exactly for RAISE_THROTTLE");
        }
    }
}
