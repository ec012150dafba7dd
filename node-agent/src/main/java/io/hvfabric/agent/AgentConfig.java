package io.hvfabric.agent;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.agent.driver.qemu.VsiIdRange;
import io.hvfabric.agent.host.AccelMode;
import io.hvfabric.agent.network.OverlayMode;
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
        VsiIdRange vsiUidRange,
        OverlayMode overlayMode,
        Optional<String> underlayDev,
        String networkNamespacePrefix,
        boolean migrationTunnel) {

    private static final Pattern HOST_ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.:-]{1,15}");
    /** Namespace names become /run/netns file names and ip command arguments. */
    private static final Pattern NETNS_PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,200}");

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
        Objects.requireNonNull(overlayMode, "overlayMode");
        underlayDev.ifPresent(d -> {
            if (!IFNAME.matcher(d).matches()) {
                throw FabricException.invalidArgument("--underlay-dev",
                        "must be an interface name of 1-15 characters of [A-Za-z0-9_.:-] (got '%s')", d);
            }
        });
        if (networkNamespacePrefix == null || !NETNS_PREFIX.matcher(networkNamespacePrefix).matches()) {
            throw FabricException.invalidArgument("--network-namespace-prefix",
                    "must be 1-200 characters of [A-Za-z0-9_.-] (got '%s')", networkNamespacePrefix);
        }
    }
}
