package io.hvfabric.agent.network;

import java.util.Optional;

/**
 * Whether this host runs the tenant-network data plane, and why.
 *
 * @param underlay the NIC and VTEP address the tunnels use; present when {@link Kind#REAL}, and when known otherwise
 */
public record OverlayDecision(Kind kind, String reason, Optional<Underlay> underlay) {
    public enum Kind {
        /** Bridges, VXLAN, DHCP and nftables on this host. */
        REAL,
        /** Beside the fake driver: vNICs are accepted and named, nothing is made on the host. */
        SIMULATED,
        /** VSIs with vNICs are refused. */
        OFF
    }

    /** What HostCapabilities.overlay_networks says: placement may put VSIs with vNICs here. */
    public boolean overlayNetworks() {
        return kind != Kind.OFF;
    }
}
