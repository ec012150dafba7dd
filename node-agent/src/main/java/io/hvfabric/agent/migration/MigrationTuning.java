package io.hvfabric.agent.migration;

import io.hvfabric.migration.MigrationPolicy;
import io.hvfabric.migration.StartPlan;
import io.hvfabric.proto.v1.MigrationObjective;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What QEMU is armed with on each side, from {@link MigrationPolicy#plan}. The capabilities both sides must agree on
 * (multifd, postcopy-ram) depend only on the objective and the guest's memory, which both requests carry; the link
 * speed is passed as 0 (unknown) on both sides so even the derived limits agree.
 */
record MigrationTuning(StartPlan plan) {

    static MigrationTuning plan(MigrationPolicy policy, MigrationObjective objective, long memoryMib) {
        if (memoryMib <= 0) {
            throw new IllegalArgumentException("memory_mib must be the VSI's memory in MiB (> 0), got " + memoryMib);
        }
        return new MigrationTuning(policy.plan(objective, memoryMib, 0, Optional.empty()));
    }

    /** Source: every capability the plan names, set explicitly on or off. */
    Map<String, Boolean> sourceCapabilities() {
        return plan.qemuCapabilities();
    }

    /** Target: the capabilities that must match the source. */
    Map<String, Boolean> targetCapabilities() {
        return plan.targetQemuCapabilities();
    }

    Map<String, Object> sourceParameters() {
        return new LinkedHashMap<>(plan.qemuParameters());
    }

    /** The incoming side needs only the channel count, and only with multifd. */
    Map<String, Object> targetParameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        if (plan.multifd()) {
            p.put("multifd-channels", plan.multifdChannels());
        }
        return p;
    }

    String rung() {
        return plan.rung().wireName();
    }

    @Override
    public String toString() {
        return "rung " + rung() + ", capabilities " + sourceCapabilities() + ", " + plan.reason();
    }
}
