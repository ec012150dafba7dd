package io.hvfabric.agent.network;

import io.hvfabric.agent.driver.NicSpec;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.VsiAssignment;
import java.util.List;
import java.util.Optional;

/** No tenant-network data plane here: VSIs without vNICs run as ever, one with vNICs is refused with the reason. */
public final class NoNetworking implements VsiNetworking {
    private final String reason;

    /** @param reason why the data plane is off, e.g. "--overlay=off" or "nft is not installed" */
    public NoNetworking(String reason) {
        this.reason = reason;
    }

    @Override
    public void converge(DesiredState state) {}

    @Override
    public Optional<String> refusal(VsiAssignment assignment) {
        int nics = assignment.getSpec().getNicsCount();
        return nics == 0 ? Optional.empty() : Optional.of("VSI " + assignment.getSpec().getName() + " has " + nics
                + " vNIC(s) but this host runs no tenant-network data plane (overlay off: " + reason + ")");
    }

    @Override
    public List<NicSpec> plug(VsiAssignment assignment) {
        Optional<String> refused = refusal(assignment);
        if (refused.isPresent()) {
            throw FabricException.failedPrecondition("%s", refused.get());
        }
        return List.of();
    }

    @Override
    public List<NicSpec> receive(VsiAssignment assignment, List<HostNetwork> networks) {
        return plug(assignment);
    }

    @Override
    public void unplug(String vsi) {}
}
