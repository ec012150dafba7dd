package io.hvfabric.agent.network;

import io.hvfabric.common.error.FabricException;
import java.util.Locale;

/** The agent's {@code --overlay}: run the tenant-network data plane when this host can, always, or never. */
public enum OverlayMode {
    /** On when the agent is root, the tools are installed and the underlay device has an IPv4 address. */
    AUTO,
    /** On, and refuse to start when it cannot be. */
    ON,
    /** Off: VSIs with vNICs are refused here (and placement keeps them away: overlay_networks is false). */
    OFF;

    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OverlayMode parse(String value) {
        for (OverlayMode mode : values()) {
            if (mode.flagValue().equals(value)) {
                return mode;
            }
        }
        throw FabricException.invalidArgument("--overlay", "must be auto, on or off (got '%s')", value);
    }
}
