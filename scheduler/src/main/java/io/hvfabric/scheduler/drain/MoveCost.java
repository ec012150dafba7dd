package io.hvfabric.scheduler.drain;

/**
 * What one live migration is predicted to cost.
 *
 * @param converges false when pre-copy cannot reach the downtime limit (dirty rate not below the bandwidth, or too
 *     many rounds); the numbers then describe a migration forced to stop-and-copy after the last round
 * @param rounds pre-copy rounds before the final stop-and-copy
 * @param precopySeconds time spent copying while the guest runs
 * @param downtimeSeconds time the guest is paused for the final copy
 * @param transferredMib everything sent, including re-sent dirty pages
 */
public record MoveCost(
        boolean converges, int rounds, double precopySeconds, double downtimeSeconds, double transferredMib) {

    /** Wall time from start to the guest running on the target. */
    public double totalSeconds() {
        return precopySeconds + downtimeSeconds;
    }
}
