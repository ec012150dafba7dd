package io.hvfabric.scheduler.rebalance;

import io.hvfabric.scheduler.drain.MoveCost;
import io.hvfabric.scheduler.drain.Transfer;

/**
 * One planned rebalance move.
 *
 * @param imbalanceAfter the cluster's imbalance once this and every earlier move of the plan are done
 */
public record RebalanceMove(Transfer transfer, long memoryMib, double dirtyRateMibps, MoveCost cost,
        double imbalanceAfter) {

    public String vsiName() {
        return transfer.vsiName();
    }

    public String fromHost() {
        return transfer.fromHost();
    }

    public String toHost() {
        return transfer.toHost();
    }
}
