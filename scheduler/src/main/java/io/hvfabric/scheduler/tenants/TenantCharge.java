package io.hvfabric.scheduler.tenants;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.List;
import java.util.Optional;

/**
 * The tenant's part of a VSI create or delete: compares and a usage write that go into the very transaction that
 * records (or removes) the VSI and its host allocation. The usage key's mod revision is compared like hostalloc's,
 * so two creates decided on the same usage cannot both commit, and concurrent creates never exceed a quota; the
 * tenant key's is compared too, so a create cannot land in a tenant deleted meanwhile.
 */
public record TenantCharge(List<Cmp> compares, List<Op> ops) {
    private static final TenantCharge NONE = new TenantCharge(List.of(), List.of());

    public TenantCharge {
        compares = List.copyOf(compares);
        ops = List.copyOf(ops);
    }

    /**
     * Charges a new VSI to {@code spec.tenant} as the view shows it now. Nothing for the operators' own VSIs (no
     * tenant); NOT_FOUND when the tenant does not exist; RESOURCE_EXHAUSTED beyond a quota.
     */
    public static TenantCharge admit(ClusterView view, Keys keys, VsiSpec spec) {
        String name = spec.getTenant();
        if (name.isEmpty()) {
            return NONE;
        }
        Versioned<Tenant> tenant = view.tenant(name).orElseThrow(() -> FabricException.notFound("tenant", name));
        Optional<Versioned<TenantUsage>> usage = view.tenantUsage(name);
        TenantUsage next = TenantQuotas.charge(tenant.value(),
                usage.map(Versioned::value).orElse(TenantUsage.getDefaultInstance()), spec);
        ByteSequence tenantKey = keys.of(Keys.Kind.TENANT, name);
        ByteSequence usageKey = keys.of(Keys.Kind.TENANT_USAGE, name);
        return new TenantCharge(
                List.of(new Cmp(tenantKey, Cmp.Op.EQUAL, CmpTarget.modRevision(tenant.modRevision())),
                        unchanged(usageKey, usage)),
                List.of(Op.put(usageKey, RecordCodec.encode(next), PutOption.DEFAULT)));
    }

    /** Frees a deleted VSI's share of its tenant's usage. */
    public static TenantCharge release(ClusterView view, Keys keys, VsiSpec spec) {
        String name = spec.getTenant();
        if (name.isEmpty()) {
            return NONE;
        }
        ByteSequence usageKey = keys.of(Keys.Kind.TENANT_USAGE, name);
        Optional<Versioned<TenantUsage>> usage = view.tenantUsage(name);
        if (usage.isEmpty()) {
            return new TenantCharge(List.of(unchanged(usageKey, usage)), List.of());
        }
        TenantUsage next = TenantQuotas.refund(usage.get().value(), spec);
        return new TenantCharge(List.of(unchanged(usageKey, usage)),
                List.of(Op.put(usageKey, RecordCodec.encode(next), PutOption.DEFAULT)));
    }

    static Cmp unchanged(ByteSequence key, Optional<? extends Versioned<?>> seen) {
        return seen.isPresent()
                ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(seen.get().modRevision()))
                : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0));
    }
}
