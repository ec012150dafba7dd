package io.hvfabric.scheduler.tenants;

import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.store.Versioned;
import java.util.Objects;
import java.util.Optional;

/**
 * Which VSIs a caller may see and act on: every VSI (operators), or one tenant's (that tenant's principals). A VSI
 * outside the scope is answered exactly as a missing one, so a tenant never learns that another tenant's exists.
 */
public record TenantScope(Optional<String> tenant) {
    private static final TenantScope ALL = new TenantScope(Optional.empty());

    public TenantScope {
        Objects.requireNonNull(tenant, "tenant");
    }

    public static TenantScope all() {
        return ALL;
    }

    public static TenantScope of(String tenant) {
        if (tenant == null || tenant.isEmpty()) {
            throw new IllegalArgumentException("a tenant scope needs a tenant");
        }
        return new TenantScope(Optional.of(tenant));
    }

    public boolean isTenant() {
        return tenant.isPresent();
    }

    public boolean sees(VsiRecord vsi) {
        return tenant.isEmpty() || tenant.get().equals(vsi.getSpec().getTenant());
    }

    /**
     * A migration is a tenant's to see while it concerns the tenant's VSI of that name as it exists now: one recorded
     * before the VSI was (re)created belongs to an earlier VSI of the same name, perhaps another tenant's.
     */
    public boolean sees(Versioned<Migration> migration, Optional<Versioned<VsiRecord>> vsi) {
        if (tenant.isEmpty()) {
            return true;
        }
        return vsi.isPresent() && sees(vsi.get().value())
                && migration.createRevision() >= vsi.get().createRevision();
    }
}
