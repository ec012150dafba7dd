package io.hvfabric.agent.guest;

import java.time.Duration;

/**
 * How a guest's liveness is judged, validated here; each error names the field and the rule.
 *
 * @param pingInterval how often an agent that is expected to answer is pinged
 * @param pingTimeout how long one ping (and each guest-info / interface query) may take
 * @param missesForUnresponsive consecutive missed pings that make an UP guest UNRESPONSIVE
 * @param bootBound how long a booting guest's agent may stay silent before the guest counts as NO_AGENT
 * @param noAgentRetry how often a guest that stayed silent past the boot bound is still asked
 * @param interfacesRefresh how often an UP guest's network interfaces are read again
 */
public record GuestPolicy(Duration pingInterval, Duration pingTimeout, int missesForUnresponsive, Duration bootBound,
                          Duration noAgentRetry, Duration interfacesRefresh) {
    /**
     * TCG boots the default image in about 4 s, but a loaded CI box is many times slower: 90 s of boot bound. Pings
     * every second, each bounded by a second: a stopped guest is UNRESPONSIVE some 3 s after its last answer.
     */
    public static final GuestPolicy DEFAULT = new GuestPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 3,
            Duration.ofSeconds(90), Duration.ofSeconds(5), Duration.ofSeconds(10));

    public GuestPolicy {
        requirePositive("pingInterval", pingInterval);
        requirePositive("pingTimeout", pingTimeout);
        requirePositive("bootBound", bootBound);
        requirePositive("noAgentRetry", noAgentRetry);
        requirePositive("interfacesRefresh", interfacesRefresh);
        if (missesForUnresponsive < 1) {
            throw new IllegalArgumentException("missesForUnresponsive must be at least 1, got " + missesForUnresponsive);
        }
    }

    private static void requirePositive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be a positive duration, got " + d);
        }
    }
}
