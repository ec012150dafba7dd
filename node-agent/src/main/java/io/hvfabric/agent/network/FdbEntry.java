package io.hvfabric.agent.network;

/**
 * One entry of a VXLAN device's own forwarding database: frames for {@code mac} go to the VTEP {@code dst}.
 *
 * @param dynamic subject to learning and ageing (the kernel may repoint it from received traffic), not static
 * @param updatedSeconds seconds since the kernel (learning) or we last changed it
 */
public record FdbEntry(String mac, String dst, boolean dynamic, long updatedSeconds) {
    /** The all-zero MAC: broadcast, unknown unicast and multicast are replicated to every entry of it. */
    public static final String FLOOD = "00:00:00:00:00:00";

    public boolean flood() {
        return FLOOD.equals(mac);
    }
}
