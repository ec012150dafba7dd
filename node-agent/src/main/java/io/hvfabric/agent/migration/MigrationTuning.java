package io.hvfabric.agent.migration;

import io.hvfabric.migration.MigrationPolicy;
import io.hvfabric.migration.PolicyConfig;
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

    /**
     * @param multifdChannels from the request: 0 keeps the policy's own setting, 1 means one stream, N >= 2 caps
     *     multifd at N channels (the scheduler sizes it to the smaller host's CPUs)
     */
    static MigrationTuning plan(MigrationPolicy policy, MigrationObjective objective, long memoryMib,
                                int multifdChannels) {
        if (memoryMib <= 0) {
            throw new IllegalArgumentException("memory_mib must be the VSI's memory in MiB (> 0), got " + memoryMib);
        }
        if (multifdChannels < 0 || multifdChannels > 255) {
            throw new IllegalArgumentException("multifd_channels must be 0 (agent default) or 1..255, got "
                    + multifdChannels);
        }
        MigrationPolicy effective = policy;
        if (multifdChannels > 0) {
            PolicyConfig c = policy.config();
            effective = new MigrationPolicy(c.toBuilder()
                    .multifdEnabled(c.multifdEnabled() && multifdChannels >= 2)
                    .multifdChannels(Math.min(c.multifdChannels(), multifdChannels))
                    .build());
        }
        return new MigrationTuning(effective.plan(objective, memoryMib, 0, Optional.empty()));
    }

    /** QEMU's MIGRATION events wake the roles' loops (see {@link MigrationWakeups}); not a policy matter. */
    static final String EVENTS_CAPABILITY = "events";

    /** Source: every capability the plan names, set explicitly on or off, plus events. */
    Map<String, Boolean> sourceCapabilities() {
        return withEvents(plan.qemuCapabilities());
    }

    /** Target: the capabilities that must match the source, plus events. */
    Map<String, Boolean> targetCapabilities() {
        return withEvents(plan.targetQemuCapabilities());
    }

    private static Map<String, Boolean> withEvents(Map<String, Boolean> capabilities) {
        Map<String, Boolean> all = new LinkedHashMap<>(capabilities);
        all.put(EVENTS_CAPABILITY, true);
        return all;
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
        return "rung " + rung() + ", capabilities " + plan.qemuCapabilities() + ", " + plan.reason();
    }
}
