package io.hvfabric.scheduler.tenants;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.scheduler.leader.loop.Records;
import io.hvfabric.scheduler.store.Keys;

/**
 * The step every decision that records a tenant-owned object (network, volume, ...) takes first: the tenant must
 * exist, and its usage record is rewritten as it is, so a concurrent tenant delete (which compares that record) fails
 * its compare instead of passing an object it did not see.
 */
public final class TenantFence {
    private TenantFence() {}

    /** NOT_FOUND naming the tenant when it does not exist; otherwise fences the decision on the tenant's usage. */
    public static void require(Records records, String tenant) {
        records.get(Keys.Kind.TENANT, tenant, Tenant.getDefaultInstance())
                .orElseThrow(() -> FabricException.notFound("tenant", tenant));
        records.put(Keys.Kind.TENANT_USAGE, tenant,
                records.get(Keys.Kind.TENANT_USAGE, tenant, TenantUsage.getDefaultInstance())
                        .orElse(TenantUsage.getDefaultInstance()));
    }
}
