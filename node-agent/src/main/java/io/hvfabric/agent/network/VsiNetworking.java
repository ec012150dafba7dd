package io.hvfabric.agent.network;

import io.hvfabric.agent.driver.NicSpec;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.VsiAssignment;
import java.util.List;
import java.util.Optional;

/**
 * What a VSI's lifecycle needs from this host's tenant networks. Chosen by configuration like the virt driver:
 * {@link OverlayNetworking} (the real data plane), {@link SimulatedNetworking} (beside the fake driver: names only,
 * nothing on the host) and {@link NoNetworking} (overlay off: a VSI with vNICs is refused).
 */
public interface VsiNetworking {
    /**
     * Converges the host's networks and every desired VSI's taps to this desired state, removing ours that it no
     * longer names. Level-triggered; logs what it cannot do rather than throwing.
     */
    void converge(DesiredState state);

    /** Why this host can never plug the VSI's vNICs (the data plane is off), or empty. */
    Optional<String> refusal(VsiAssignment assignment);

    /**
     * Right before the VSI's QEMU starts: its taps exist on their bridges.
     *
     * @return the NICs to launch it with, in the order of its spec's nics
     * @throws RuntimeException (a FabricException when the cause is the request) if a tap cannot be made
     */
    List<NicSpec> plug(VsiAssignment assignment);

    /**
     * Migration target, before QEMU -incoming starts: joins {@code networks} (held until the scheduler lists the VSI as
     * owned here, or until {@link #unplug}), then plugs the VSI like {@link #plug}.
     */
    List<NicSpec> receive(VsiAssignment assignment, List<HostNetwork> networks);

    /** The VSI has left this host (destroyed, or its incoming copy discarded): its taps go, and any network it held. */
    void unplug(String vsi);

    /** The launch spec's NIC for a port: netdev "net<index>", the guest's MAC and the network's MTU. */
    static NicSpec nic(VsiPort p) {
        return new NicSpec("net" + p.index(), p.tap(), p.mac(), p.mtu());
    }
}
