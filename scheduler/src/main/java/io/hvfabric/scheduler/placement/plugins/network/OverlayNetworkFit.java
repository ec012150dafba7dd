package io.hvfabric.scheduler.placement.plugins.network;

import io.hvfabric.scheduler.placement.api.FilterPlugin;
import io.hvfabric.scheduler.placement.api.HostCandidate;
import io.hvfabric.scheduler.placement.api.PlacementContext;
import io.hvfabric.scheduler.placement.api.PlacementRequest;
import io.hvfabric.scheduler.placement.api.Status;

/**
 * A VSI with vNICs needs a host that runs the overlay data plane, with an underlay whose MTU leaves room for every
 * one of its networks' MTU plus {@link HostCandidate#VXLAN_OVERHEAD_BYTES}: a larger frame would be dropped on the
 * wire, not refused.
 */
public final class OverlayNetworkFit implements FilterPlugin {

    public static final String NAME = "OverlayNetworkFit";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(PlacementRequest request, HostCandidate host, PlacementContext context) {
        int mtu = request.networkMtu();
        if (mtu == 0) {
            return Status.success();
        }
        if (host.overlayMtu() == 0) {
            return Status.unresolvable(NAME, "without overlay networks (" + NAME + ")",
                    () -> "vsi has vNICs; host runs no overlay network data plane");
        }
        if (host.overlayMtu() < mtu) {
            return Status.unresolvable(NAME, "with an underlay MTU below "
                    + (mtu + HostCandidate.VXLAN_OVERHEAD_BYTES) + " (" + NAME + ")",
                    () -> "vsi's networks need MTU " + mtu + "; host's underlay carries at most " + host.overlayMtu()
                            + " (underlay MTU minus " + HostCandidate.VXLAN_OVERHEAD_BYTES + ")");
        }
        return Status.success();
    }
}
