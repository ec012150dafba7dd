package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.TenantQuota;
import io.hvfabric.proto.v1.TenantStatus;
import io.hvfabric.proto.v1.TenantUsage;
import java.time.Instant;
import java.util.List;

/** Table renderings of tenants: what their VSIs hold against each quota ("-" where a quota bounds nothing). */
public final class TenantViews {
    private static final String UNBOUNDED = "-";

    private TenantViews() {}

    public static String list(List<TenantStatus> tenants) {
        Table table = new Table("NAME", "VSIS", "MAX VSIS", "VCPUS", "MAX VCPUS", "MEMORY", "MAX MEMORY");
        for (TenantStatus status : tenants) {
            TenantQuota quota = status.getTenant().getQuota();
            TenantUsage usage = status.getUsage();
            table.row(status.getTenant().getName(), usage.getVsis(), bound(quota.getMaxVsis()), usage.getVcpus(),
                    bound(quota.getMaxVcpus()), Units.mib(usage.getMemoryMib()),
                    quota.getMaxMemoryMib() > 0 ? Units.mib(quota.getMaxMemoryMib()) : UNBOUNDED);
        }
        return table.render();
    }

    public static String detail(TenantStatus status, Instant now) {
        TenantQuota quota = status.getTenant().getQuota();
        TenantUsage usage = status.getUsage();
        return new KeyValueBlock()
                .add("name", status.getTenant().getName())
                .add("vsis", ofQuota(Long.toString(usage.getVsis()), quota.getMaxVsis(), Long.toString(quota.getMaxVsis())))
                .add("vcpus", ofQuota(Long.toString(usage.getVcpus()), quota.getMaxVcpus(),
                        Long.toString(quota.getMaxVcpus())))
                .add("memory", ofQuota(Units.mib(usage.getMemoryMib()), quota.getMaxMemoryMib(),
                        Units.mib(quota.getMaxMemoryMib())))
                .add("vsi names", String.join(", ", usage.getNamesList()))
                .add("created", Timestamps.withAge(status.getTenant().getCreatedAt(), now))
                .render();
    }

    /** "2 of 3", or "2 (no quota)" when the quota bounds nothing. */
    private static String ofQuota(String used, long max, String maxText) {
        return max > 0 ? used + " of " + maxText : used + " (no quota)";
    }

    private static String bound(long max) {
        return max > 0 ? Long.toString(max) : UNBOUNDED;
    }
}
