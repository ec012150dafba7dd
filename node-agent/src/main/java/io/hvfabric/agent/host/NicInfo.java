package io.hvfabric.agent.host;

import java.util.Objects;

/**
 * The host's primary network interface.
 *
 * @param speedDefaulted the interface reported no link speed (virtual NICs often do), so {@code speedMbps} is the
 *     configured default rather than a measurement
 */
public record NicInfo(String name, int speedMbps, boolean speedDefaulted) {
    public NicInfo {
        Objects.requireNonNull(name, "name");
        if (speedMbps <= 0) {
            throw new IllegalArgumentException("speedMbps must be positive, got " + speedMbps);
        }
    }
}
