package io.hvfabric.agent.vsi;

import java.time.Duration;

/**
 * When a guest that should run has died: restart it, after a growing pause, up to a limit within a window; past
 * the limit the VSI is FAILED until the operator starts it again. A pure function of the count and the clock.
 */
public record RestartPolicy(int maxRestarts, Duration window, Duration baseBackoff) {
    public static final RestartPolicy DEFAULT = new RestartPolicy(3, Duration.ofMinutes(10), Duration.ofSeconds(2));

    /** Pause before restart number {@code attempt} (1-based): base × 2^(attempt-1). */
    public Duration backoff(int attempt) {
        return baseBackoff.multipliedBy(1L << Math.min(10, Math.max(0, attempt - 1)));
    }

    public boolean allows(int restartsInWindow) {
        return restartsInWindow < maxRestarts;
    }
}
