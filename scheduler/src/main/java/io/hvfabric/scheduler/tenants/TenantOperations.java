package io.hvfabric.scheduler.tenants;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.proto.v1.TenantQuota;
import io.hvfabric.proto.v1.TenantStatus;
import io.hvfabric.proto.v1.TenantUsage;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.vsi.VsiSpecs;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The leader's tenant decisions, each one fenced transaction. A tenant is deleted only while it owns no VSI and no
 * network: the delete compares the tenant's usage key, which every create in the tenant (VSI or network) rewrites, so
 * a create and a delete racing cannot both commit.
 */
public final class TenantOperations {
    /** How the operators' own VSIs (no tenant) are shown; reserved so no tenant can pass for them. */
    public static final String SYSTEM = "system";
    private static final int MAX_ATTEMPTS = 5;
    private static final long VIEW_WAIT_MS = 5000;
    private static final int NAMES_SHOWN = 5;

    private final ClusterView view;
    private final Keys keys;
    private final FencedWriter writer;

    public TenantOperations(ClusterView view, Keys keys, FencedWriter writer) {
        this.view = view;
        this.keys = keys;
        this.writer = writer;
    }

    public synchronized TenantStatus create(Term term, Tenant requested) {
        validate(requested);
        String name = requested.getName();
        if (view.tenant(name).isPresent()) {
            throw FabricException.alreadyExists("tenant", name);
        }
        Tenant tenant = Tenant.newBuilder().setName(name).setQuota(requested.getQuota()).setCreatedAt(Times.now())
                .build();
        ByteSequence key = keys.of(Keys.Kind.TENANT, name);
        FencedWriter.Outcome outcome = writer.commit(term,
                List.of(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0))),
                List.of(Op.put(key, RecordCodec.encode(tenant), PutOption.DEFAULT)));
        view.awaitRevision(outcome.revision(), VIEW_WAIT_MS);
        if (!outcome.committed()) {
            throw FabricException.alreadyExists("tenant", name);
        }
        return status(tenant, view.tenantUsage(name));
    }

    /** Removes the tenant and its usage record; FAILED_PRECONDITION while it owns VSIs, networks or volumes. */
    public synchronized void delete(Term term, String name) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Versioned<Tenant> current = require(name);
            Optional<Versioned<TenantUsage>> usage = view.tenantUsage(name);
            // The usage record is the ledger; the VSI records are read too, so no drift lets a tenant vanish under VSIs.
            TreeSet<String> owned = new TreeSet<>();
            usage.ifPresent(u -> owned.addAll(u.value().getNamesList()));
            view.vsis().stream().map(v -> v.value().getSpec())
                    .filter(spec -> name.equals(spec.getTenant()))
                    .forEach(spec -> owned.add(spec.getName()));
            if (!owned.isEmpty()) {
                throw FabricException.failedPrecondition("tenant '%s' owns %d VSI%s (%s); delete them first", name,
                        owned.size(), owned.size() == 1 ? "" : "s", shortList(owned));
            }
            // A network create in the tenant rewrites its usage record, so the compare below catches one not seen.
            TreeSet<String> networks = new TreeSet<>();
            view.networks().stream().map(Versioned::value).filter(n -> name.equals(n.getTenant()))
                    .forEach(n -> networks.add(n.getName()));
            if (!networks.isEmpty()) {
                throw FabricException.failedPrecondition("tenant '%s' owns %d network%s (%s); delete them first",
                        name, networks.size(), networks.size() == 1 ? "" : "s", shortList(networks));
            }
            // A volume create in the tenant rewrites its usage record too.
            TreeSet<String> volumes = new TreeSet<>();
            view.volumes().stream().map(Versioned::value).filter(v -> name.equals(v.getTenant()))
                    .forEach(v -> volumes.add(v.getName()));
            if (!volumes.isEmpty()) {
                throw FabricException.failedPrecondition("tenant '%s' owns %d volume%s (%s); delete them first",
                        name, volumes.size(), volumes.size() == 1 ? "" : "s", shortList(volumes));
            }
            ByteSequence tenantKey = keys.of(Keys.Kind.TENANT, name);
            ByteSequence usageKey = keys.of(Keys.Kind.TENANT_USAGE, name);
            FencedWriter.Outcome outcome = writer.commit(term,
                    List.of(new Cmp(tenantKey, Cmp.Op.EQUAL, CmpTarget.modRevision(current.modRevision())),
                            unchanged(usageKey, usage)),
                    List.of(Op.delete(tenantKey, DeleteOption.DEFAULT), Op.delete(usageKey, DeleteOption.DEFAULT)));
            view.awaitRevision(outcome.revision(), VIEW_WAIT_MS);
            if (outcome.committed()) {
                return;
            }
        }
        throw FabricException.unavailable("tenant '%s' kept changing; retry", name);
    }

    /** A tenant with its usage as stored (none yet: zero). */
    public static TenantStatus status(Tenant tenant, Optional<Versioned<TenantUsage>> usage) {
        return TenantStatus.newBuilder()
                .setTenant(tenant)
                .setUsage(usage.map(Versioned::value).orElse(TenantUsage.getDefaultInstance()))
                .build();
    }

    static void validate(Tenant tenant) {
        VsiSpecs.requireDnsLabel("name", tenant.getName());
        if (SYSTEM.equals(tenant.getName())) {
            throw FabricException.invalidArgument("name", "'%s' is reserved for the operators' own VSIs", SYSTEM);
        }
        TenantQuota quota = tenant.getQuota();
        if (quota.getMaxVsis() < 0 || quota.getMaxVcpus() < 0 || quota.getMaxMemoryMib() < 0) {
            throw FabricException.invalidArgument("quota", "must not be negative (0 means no bound)");
        }
    }

    private Versioned<Tenant> require(String name) {
        if (name.isEmpty()) {
            throw FabricException.invalidArgument("name", "must not be empty");
        }
        return view.tenant(name).orElseThrow(() -> FabricException.notFound("tenant", name));
    }

    private static String shortList(TreeSet<String> names) {
        List<String> shown = names.stream().limit(NAMES_SHOWN).toList();
        String list = String.join(", ", shown);
        return names.size() > NAMES_SHOWN ? list + " and " + (names.size() - NAMES_SHOWN) + " more" : list;
    }

    /** The key still as {@code seen} (absent if it was not seen): a compare-and-swap's guard. */
    private static Cmp unchanged(ByteSequence key, Optional<? extends Versioned<?>> seen) {
        return seen.isPresent()
                ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(seen.get().modRevision()))
                : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0));
    }
}
