package io.hvfabric.scheduler.tenants;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantQuota;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.proto.v1.VsiSpec;
import java.util.ArrayList;
import java.util.List;

/** A tenant's usage arithmetic: what one more VSI adds (refused beyond a quota), and what a deleted one frees. */
public final class TenantQuotas {
    private TenantQuotas() {}

    /**
     * {@code usage} plus the VSI of {@code spec}, or RESOURCE_EXHAUSTED naming the first quota it would exceed, as in
     * "tenant 'acme' quota max_vcpus 4: 4 used, 2 requested". A quota of 0 bounds nothing.
     */
    public static TenantUsage charge(Tenant tenant, TenantUsage usage, VsiSpec spec) {
        TenantQuota quota = tenant.getQuota();
        requireWithin(tenant, "max_vsis", quota.getMaxVsis(), usage.getVsis(), 1);
        requireWithin(tenant, "max_vcpus", quota.getMaxVcpus(), usage.getVcpus(), spec.getVcpus());
        requireWithin(tenant, "max_memory_mib", quota.getMaxMemoryMib(), usage.getMemoryMib(), spec.getMemoryMib());
        List<String> names = new ArrayList<>(usage.getNamesList());
        names.add(spec.getName());
        names.sort(null);
        return usage.toBuilder()
                .setVsis(usage.getVsis() + 1)
                .setVcpus(usage.getVcpus() + spec.getVcpus())
                .setMemoryMib(usage.getMemoryMib() + spec.getMemoryMib())
                .clearNames()
                .addAllNames(names)
                .build();
    }

    /** {@code usage} without the VSI of {@code spec}; a VSI it does not count changes nothing. */
    public static TenantUsage refund(TenantUsage usage, VsiSpec spec) {
        if (!usage.getNamesList().contains(spec.getName())) {
            return usage;
        }
        List<String> names = new ArrayList<>(usage.getNamesList());
        names.remove(spec.getName());
        return usage.toBuilder()
                .setVsis(Math.max(0, usage.getVsis() - 1))
                .setVcpus(Math.max(0, usage.getVcpus() - spec.getVcpus()))
                .setMemoryMib(Math.max(0, usage.getMemoryMib() - spec.getMemoryMib()))
                .clearNames()
                .addAllNames(names)
                .build();
    }

    private static void requireWithin(Tenant tenant, String quota, long max, long used, long requested) {
        if (max > 0 && used + requested > max) {
            throw FabricException.resourceExhausted("tenant '%s' quota %s %d: %d used, %d requested",
                    tenant.getName(), quota, max, used, requested);
        }
    }
}
