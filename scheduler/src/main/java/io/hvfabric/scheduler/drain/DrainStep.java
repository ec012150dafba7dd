package io.hvfabric.scheduler.drain;

import java.util.Optional;

/**
 * What the drain does with one VSI: move it to {@code target}, or leave it with the reason no host can take it.
 *
 * @param target null when the VSI cannot move
 * @param mbps bandwidth the move uses; 0 when it cannot move
 * @param cost predicted cost of the move; null when it cannot move
 * @param reason why no host can take the VSI (the placement explanation); null when it moves
 */
public record DrainStep(VsiLoad vsi, String fromHost, String target, long mbps, MoveCost cost, String reason) {

    public DrainStep {
        if (vsi == null || fromHost == null) {
            throw new IllegalArgumentException("DrainStep.vsi and DrainStep.fromHost must be set");
        }
        if ((target == null) == (reason == null)) {
            throw new IllegalArgumentException(
                    "DrainStep for vsi '" + vsi.name() + "' needs exactly one of target and reason");
        }
        if (target != null && (cost == null || mbps < 1)) {
            throw new IllegalArgumentException(
                    "DrainStep for vsi '" + vsi.name() + "' moving to '" + target + "' needs a cost and mbps >= 1");
        }
    }

    static DrainStep move(VsiLoad vsi, String fromHost, String target, long mbps, MoveCost cost) {
        return new DrainStep(vsi, fromHost, target, mbps, cost, null);
    }

    static DrainStep unmovable(VsiLoad vsi, String fromHost, String reason) {
        return new DrainStep(vsi, fromHost, null, 0, null, reason);
    }

    public boolean movable() {
        return target != null;
    }

    public Optional<String> targetHost() {
        return Optional.ofNullable(target);
    }

    public Optional<Transfer> transfer() {
        return movable() ? Optional.of(new Transfer(vsi.name(), fromHost, target, mbps)) : Optional.empty();
    }
}
