package io.hvfabric.scheduler.tenants;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.Excerpt;
import io.hvfabric.common.error.FabricException;

/**
 * A name within a tenant, for the objects tenants own besides VSIs (networks, volumes). The empty tenant (records,
 * specs) and "system" (keys, ids) are both the operators' own. {@link #key()} is the name under the kind's key
 * directory; another tenant's object is answered exactly as a missing one ({@link #notFound()}).
 */
public record TenantObjectId(String kind, String tenant, String name) {
    public TenantObjectId {
        tenant = TenantOperations.SYSTEM.equals(tenant) ? "" : tenant;
    }

    /** "&lt;tenant&gt;/&lt;name&gt;", tenant "system" for the operators' own. */
    public String key() {
        return tenantKey() + "/" + name;
    }

    /** The tenant as keys name it: "system" for the operators' own. */
    public String tenantKey() {
        return tenant.isEmpty() ? TenantOperations.SYSTEM : tenant;
    }

    public boolean isSystem() {
        return tenant.isEmpty();
    }

    /** As a missing object is answered, whether it is missing or another tenant's. */
    public FabricException notFound() {
        return FabricException.of(ErrorCode.NOT_FOUND, describe() + " not found");
    }

    public FabricException alreadyExists() {
        return FabricException.of(ErrorCode.ALREADY_EXISTS, describe() + " already exists");
    }

    /** "network 'blue' in tenant 'acme'", quoting at most an excerpt of either. */
    public String describe() {
        return kind + " '" + Excerpt.of(name) + "' in tenant '" + Excerpt.of(tenantKey()) + "'";
    }
}
