package io.hvfabric.scheduler.rebalance;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Recent migrations, so a rebalance does not move a VSI that just moved: a VSI that moved within {@code window} before
 * {@code now} is not a candidate at all, which also means it never goes back to the host it just left and plans do
 * not flap.
 *
 * @param lastMoved when each VSI last finished a migration
 */
public record Cooldown(Duration window, Instant now, Map<String, Instant> lastMoved) {

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(30);

    public static final Cooldown NONE = new Cooldown(Duration.ZERO, Instant.EPOCH, Map.of());

    public Cooldown {
        if (window == null || window.isNegative()) {
            throw new IllegalArgumentException("Cooldown.window must be >= 0, got " + window);
        }
        if (now == null) {
            throw new IllegalArgumentException("Cooldown.now must be set");
        }
        lastMoved = lastMoved == null ? Map.of() : Map.copyOf(lastMoved);
    }

    public boolean inCooldown(String vsiName) {
        Instant at = lastMoved.get(vsiName);
        return at != null && at.plus(window).isAfter(now);
    }
}
