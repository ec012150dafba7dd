package io.hvfabric.scheduler.network;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.tenants.TenantObjectId;
import io.hvfabric.scheduler.tenants.TenantOperations;

/**
 * Which network: a name within a tenant, where the empty tenant (records, VSI specs) and "system" (keys, ids) are
 * both the operators' own. {@link #key()} is the name under {@code networks/} and {@code netalloc/}, and the id hosts
 * see ({@code HostNetwork.id}).
 */
public record NetworkId(String tenant, String name) {
    public NetworkId {
        tenant = TenantOperations.SYSTEM.equals(tenant) ? "" : tenant;
    }

    public static NetworkId of(Network network) {
        return new NetworkId(network.getTenant(), network.getName());
    }

    /** The network a vNIC of {@code vsi} is on: always one of the VSI's own tenant. */
    public static NetworkId ofNic(VsiSpec vsi, NicSpec nic) {
        return new NetworkId(vsi.getTenant(), nic.getNetwork());
    }

    /** "&lt;tenant&gt;/&lt;name&gt;", tenant "system" for the operators' own. */
    public String key() {
        return object().key();
    }

    /** The tenant as keys name it: "system" for the operators' own. */
    public String tenantKey() {
        return object().tenantKey();
    }

    public boolean isSystem() {
        return object().isSystem();
    }

    /** As a missing network is answered, whether it is missing or another tenant's. */
    public FabricException notFound() {
        return object().notFound();
    }

    public FabricException alreadyExists() {
        return object().alreadyExists();
    }

    /** "network 'blue' in tenant 'acme'", quoting at most an excerpt of either. */
    public String describe() {
        return object().describe();
    }

    private TenantObjectId object() {
        return new TenantObjectId("network", tenant, name);
    }
}
