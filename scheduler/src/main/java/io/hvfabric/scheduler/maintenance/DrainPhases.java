package io.hvfabric.scheduler.maintenance;

import io.hvfabric.proto.v1.Drain;

/** Which drain phases are final. */
public final class DrainPhases {
    private DrainPhases() {}

    public static boolean isTerminal(Drain.Phase phase) {
        return phase == Drain.Phase.COMPLETED || phase == Drain.Phase.PARTIAL || phase == Drain.Phase.CANCELLED;
    }
}
