package io.hvfabric.scheduler.migrate;

import java.time.Duration;

/**
 * How long a switchover waits on the target before it rolls back to the source's paused copy. The guest is paused
 * meanwhile, so both are short; they only run out when the target is failing.
 *
 * @param targetLoad from the source's "completed" to the target's COMPLETED (it loaded the last pages)
 * @param resumeConfirm for the target's answer that the guest runs there, over as many ResumeTarget calls as fit
 */
record SwitchoverLimits(Duration targetLoad, Duration resumeConfirm) {
    static final SwitchoverLimits DEFAULT = new SwitchoverLimits(Duration.ofSeconds(10), Duration.ofSeconds(10));

    SwitchoverLimits {
        if (targetLoad.isNegative() || targetLoad.isZero() || resumeConfirm.isNegative() || resumeConfirm.isZero()) {
            throw new IllegalArgumentException("switchover limits must be positive, got " + targetLoad + " and "
                    + resumeConfirm);
        }
    }
}
