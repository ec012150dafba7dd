package io.hvfabric.agent;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.agent.driver.qemu.VsiIdRange;
import io.hvfabric.agent.host.AccelMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/** Everything a node agent needs to start, validated in one place. */
public record AgentConfig(
        String hostId,
        HostPort listen,
        HostPort advertise,
        List<HostPort> schedulers,
        HostPort metrics,
        HostPort pekko,
        List<HostPort> seeds,
        Optional<TlsFiles> tls,
        Path stateDir,
        Path imageDir,
        int defaultNicMbps,
        long reservedMemoryMib,
        String driver,
        AccelMode accelMode,
        Path accelCacheDir,
        Duration kvmBootBound,
        VsiIdRange vsiUidRange) {

    private static final Pattern HOST_ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public AgentConfig {
        if (hostId == null || !HOST_ID.matcher(hostId).matches()) {
            throw FabricException.invalidArgument("--host-id",
                    "must be a DNS label: 1-63 lowercase letters, digits or hyphens (got '%s')", hostId);
        }
        if (schedulers.isEmpty()) {
            throw FabricException.invalidArgument("--schedulers", "needs at least one host:port");
        }
        if (defaultNicMbps < 1) {
            throw FabricException.invalidArgument("--nic-default-mbps", "must be at least 1 (got %d)", defaultNicMbps);
        }
        if (reservedMemoryMib < 0) {
            throw FabricException.invalidArgument("--reserved-memory-mib", "must not be negative (got %d)",
                    reservedMemoryMib);
        }
        if (!driver.equals("qemu") && !driver.equals("fake")) {
            throw FabricException.invalidArgument("--driver", "must be qemu or fake (got '%s')", driver);
        }
        if (kvmBootBound.isNegative() || kvmBootBound.isZero() || kvmBootBound.toSeconds() > 120) {
            throw FabricException.invalidArgument("--kvm-boot-timeout", "must be 1 to 120 seconds (got %d ms)",
                    kvmBootBound.toMillis());
        }
        Objects.requireNonNull(vsiUidRange, "vsiUidRange");
    }
}
