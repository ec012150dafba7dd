package io.hvfabric.scheduler.grpc;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.scheduler.SchedulerMetrics;
import io.hvfabric.scheduler.audit.LocalEtcd;
import io.hvfabric.scheduler.drain.DrainPlanner;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.drain.PreCopyCostModel;
import io.hvfabric.scheduler.hosts.DesiredStates;
import io.hvfabric.scheduler.hosts.HostRegistry;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.leader.loop.LeaderLoops;
import io.hvfabric.scheduler.store.kv.EtcdClusterStore;
import io.hvfabric.scheduler.maintenance.DrainController;
import io.hvfabric.scheduler.maintenance.RebalanceService;
import io.hvfabric.scheduler.migrate.AgentChannels;
import io.hvfabric.scheduler.migrate.MigrationController;
import io.hvfabric.scheduler.migrate.MigrationOperations;
import io.hvfabric.scheduler.migrate.MigrationTransport;
import io.hvfabric.scheduler.network.NetworkOperations;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import io.hvfabric.scheduler.rebalance.Cooldown;
import io.hvfabric.scheduler.rebalance.RebalancePlanner;
import io.hvfabric.scheduler.revocation.CertificateRevocations;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.tenants.TenantOperations;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.vsi.ImageCatalog;
import io.hvfabric.scheduler.vsi.PlacementInputs;
import io.hvfabric.scheduler.vsi.VsiOperations;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * One scheduler replica as {@code Scheduler} wires it, leading, on a real etcd seeded with {@link SeededCluster}: the
 * real OperatorService and AgentService behind the production interceptors (role checks, audit, error translation,
 * limits), served in-process to each {@link Caller}'s certificate. Node agents are a {@link FakeAgent}; gossip finds
 * every agent reachable. Background loops (drains, rebalancing) are not started, so a call is the only writer,
 * except the migration runner a successful MigrateVsi or Rebalance starts, which {@link #restore} waits for.
 *
 * <p>The audit log is kept in memory ({@link MemoryAuditStore}) behind the real {@link AuditInterceptor}; in production
 * its records go to {@code {prefix}/audit/} in etcd, refusals included by design. Keeping them out of etcd here lets
 * a snapshot compare the whole keyspace and its revision, with no prefix excluded; the records are checked apart.
 */
final class FabricUnderTest implements AutoCloseable {
    private static final Keys KEYS = new Keys(Keys.DEFAULT_PREFIX);
    private static final long CALL_SECONDS = 10;
    private static final long SEED_LEASE_TTL_SECONDS = 3600;
    /** Prometheus metrics register once per JVM. */
    private static final SchedulerMetrics METRICS = new SchedulerMetrics();

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final Client client;
    private final EtcdLeases leases;
    private final ClusterView view;
    private final MigrationController migrations;
    private final MemoryAuditStore audit = new MemoryAuditStore();
    private final Map<Caller, ServedReplica> replicas = new EnumMap<>(Caller.class);
    private final StoreSnapshot seeded;

    private FabricUnderTest() throws Exception {
        try {
            LocalEtcd etcd = LocalEtcd.start();
            opened.push(etcd);
            client = etcd.client();
            opened.push(client);
            ManagedChannel etcdChannel = ManagedChannelBuilder.forTarget(etcd.endpoint().replace("http://", ""))
                    .usePlaintext().build();
            opened.push(etcdChannel::shutdownNow);
            leases = new EtcdLeases(etcdChannel);
            Term term = lead();
            restoreSeed(Set.of());
            seeded = snapshot();
            view = new ClusterView(client, KEYS);
            view.start();
            opened.push(view);
            FakeAgent agent = new FakeAgent();
            opened.push(agent);
            migrations = serve(term, new AgentChannels(view, agent::channelFor));
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    static FabricUnderTest start() throws Exception {
        return new FabricUnderTest();
    }

    /** An election key of our own, never expiring: this replica leads one term for the whole run. */
    private Term lead() throws Exception {
        ByteSequence key = Keys.bytes(KEYS.prefix() + "/leader/fuzz");
        client.getKVClient().put(key, RecordCodec.encode(LeaderRecord.newBuilder().setId(SeededCluster.LEADER)
                .setAddress("127.0.0.1:7001").build())).get(CALL_SECONDS, TimeUnit.SECONDS);
        long created = client.getKVClient().get(key).get(CALL_SECONDS, TimeUnit.SECONDS).getKvs().get(0)
                .getCreateRevision();
        return new Term(SeededCluster.LEADER, "127.0.0.1:7001", key, created);
    }

    private MigrationController serve(Term term, AgentChannels agentChannels) throws Exception {
        BiFunction<String, String, String> reachable = (kind, id) -> "reachable";
        FencedWriter writer = new FencedWriter(client.getKVClient(), null);
        PlacementPipeline pipeline = PlacementPipeline.fromConfig(PlacementConfig.DEFAULT);
        PlacementInputs inputs = new PlacementInputs(view, List::of);
        HostRegistry registry = new HostRegistry(client, KEYS, view, writer, Duration.ofSeconds(30));
        // The production path: the term's leader loop over the real etcd.
        LeaderLoops loops = new LeaderLoops(new EtcdClusterStore(client), view, t -> { });
        loops.start(term);
        opened.push(loops);
        VsiOperations vsis = new VsiOperations(view, KEYS, loops, pipeline, inputs);
        MigrationOperations migrationOps = new MigrationOperations(view, KEYS, writer, pipeline, inputs, reachable,
                vsis);
        MigrationController controller = new MigrationController(view, migrationOps, agentChannels,
                new MigrationTransport(false, 0), t -> true);
        opened.push(controller);
        PreCopyCostModel costs = new PreCopyCostModel();
        MigrationBudgets budgets = MigrationBudgets.defaults();
        DrainController drains = new DrainController(view, KEYS, writer, new DrainPlanner(pipeline, costs), inputs,
                registry, migrationOps, controller, reachable, () -> Optional.of(term), budgets);
        RebalanceService rebalancer = new RebalanceService(view, inputs,
                RebalancePlanner.fromConfig(PlacementConfig.DEFAULT, costs), budgets, migrationOps, controller,
                () -> Optional.of(term), Duration.ZERO, 0.1, Cooldown.DEFAULT_WINDOW);
        Forwarding forwarding = new Forwarding(SeededCluster.LEADER, () -> Optional.of(term), Optional::empty,
                address -> {
                    throw new AssertionError("the leader forwards nothing");
                });
        GuestExecRelay exec = new GuestExecRelay(GuestExecRelay.Lookup.of(view, reachable),
                agentChannels::forAddress);
        OperatorServiceImpl.Writes writes = new OperatorServiceImpl.Writes(forwarding, vsis,
                new ImageCatalog(view, KEYS, writer, SeededCluster.IMAGE_DIR), agentChannels::forAddress, exec,
                migrationOps, controller, registry, drains, rebalancer, new TenantOperations(view, KEYS, writer),
                new CertificateRevocations(client.getKVClient(), KEYS, view, SeededCluster.LEADER, Clock.systemUTC()),
                new NetworkOperations(view, KEYS, loops),
                new io.hvfabric.scheduler.volume.VolumeOperations(KEYS, loops));
        OperatorServiceImpl operator = new OperatorServiceImpl(view, SeededCluster.LEADER, List.of(), reachable,
                List::of, writes, new OperatorServiceImpl.Audit(
                        new AuditInterceptor(SeededCluster.LEADER, audit::append, Clock.systemUTC()), audit),
                new io.hvfabric.scheduler.events.EventStore(new io.hvfabric.scheduler.store.kv.EtcdClusterStore(client),
                        KEYS, Duration.ofHours(1), Clock.systemUTC()));
        AgentServiceImpl agents = new AgentServiceImpl(registry, forwarding, view, new DesiredStates(view), METRICS,
                vsis);
        for (Caller caller : Caller.values()) {
            ServedReplica replica = new ServedReplica(caller.certificate(), operator, agents);
            opened.push(replica);
            replicas.put(caller, replica);
        }
        return controller;
    }

    /** The status {@code caller} gets: a unary call's, or a stream's once it sends its first message (OK) or ends. */
    <Q, R> Status call(Caller caller, MethodDescriptor<Q, R> method, Q request) throws Exception {
        ClientCall<Q, R> call = replicas.get(caller).channel().newCall(method,
                CallOptions.DEFAULT.withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<Status> answer = new CompletableFuture<>();
        boolean unary = method.getType() == MethodDescriptor.MethodType.UNARY;
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(R message) {
                if (!unary) {
                    answer.complete(Status.OK);
                }
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                answer.complete(status);
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(request);
        call.halfClose();
        try {
            return answer.get(CALL_SECONDS + 5, TimeUnit.SECONDS);
        } finally {
            call.cancel("the fuzzer has its answer", null);
        }
    }

    /** The audit records written so far, oldest first. */
    List<AuditRecord> audit() {
        return List.copyOf(audit.records);
    }

    StoreSnapshot snapshot() throws Exception {
        GetResponse all = client.getKVClient().get(KEYS.root(),
                GetOption.builder().withRange(Keys.prefixEnd(KEYS.root())).build()).get(CALL_SECONDS, TimeUnit.SECONDS);
        return StoreSnapshot.of(all.getHeader().getRevision(), all.getKvs(), leases.all());
    }

    /**
     * Brings the seed back after a call that changed it: waits for the migration runners the call started, revokes
     * the leases it granted, rewrites the seed and deletes what the seed has not, in one transaction, which the view
     * has applied on return.
     */
    void restore() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CALL_SECONDS);
        while (migrations.inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        StoreSnapshot now = snapshot();
        if (now.sameContent(seeded) && now.leases().equals(seeded.leases())) {
            return;
        }
        long revision = restoreSeed(now.keys().keySet());
        StoreSnapshot restored = snapshot();
        if (!restored.sameContent(seeded) || !restored.leases().equals(seeded.leases())
                || !view.awaitRevision(revision, TimeUnit.SECONDS.toMillis(CALL_SECONDS))) {
            throw new AssertionError("the seed was not restored: " + restored.changesSince(seeded));
        }
    }

    /** Writes the seed over whatever is stored (the election key aside); returns the revision it committed at. */
    private long restoreSeed(Set<String> present) throws Exception {
        Set<Long> wanted = new HashSet<>(SeededCluster.LEASES.values());
        for (long lease : leases.all()) {
            if (!wanted.remove(lease)) {
                leases.revoke(lease);
            }
        }
        for (long lease : wanted) {
            leases.grant(lease, SEED_LEASE_TTL_SECONDS);
        }
        List<Op> ops = new ArrayList<>();
        Set<String> stale = new HashSet<>(present);
        SeededCluster.records().forEach((kind, records) -> records.forEach((name, record) -> {
            ByteSequence key = KEYS.of(kind, name);
            stale.remove(key.toString(StandardCharsets.UTF_8));
            ops.add(Op.put(key, RecordCodec.encode(record), kind == Keys.Kind.ALIVE
                    ? PutOption.builder().withLeaseId(SeededCluster.LEASES.get(name)).build() : PutOption.DEFAULT));
        }));
        stale.remove(KEYS.prefix() + "/leader/fuzz");
        for (String key : stale) {
            ops.add(Op.delete(Keys.bytes(key), DeleteOption.DEFAULT));
        }
        return client.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit().get(CALL_SECONDS, TimeUnit.SECONDS)
                .getHeader().getRevision();
    }

    @Override
    public void close() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }
}
