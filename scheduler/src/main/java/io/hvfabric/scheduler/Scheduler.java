package io.hvfabric.scheduler;

import io.etcd.jetcd.Client;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.hvfabric.common.grpc.GrpcServerFactory;
import io.hvfabric.common.membership.ClusterMembership;
import io.hvfabric.common.membership.MembershipConfig;
import io.hvfabric.common.metrics.MetricsServer;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.proto.v1.ReplicaRecord;
import io.hvfabric.scheduler.audit.AuditWriter;
import io.hvfabric.scheduler.audit.EtcdAuditStore;
import io.hvfabric.scheduler.events.EventPump;
import io.hvfabric.scheduler.events.EventStore;
import io.hvfabric.scheduler.grpc.AgentServiceImpl;
import io.hvfabric.scheduler.grpc.AuditInterceptor;
import io.hvfabric.scheduler.grpc.Forwarding;
import io.hvfabric.scheduler.grpc.SessionConsistency;
import io.hvfabric.scheduler.grpc.GuestExecRelay;
import io.hvfabric.scheduler.grpc.OperatorServiceImpl;
import io.hvfabric.scheduler.hosts.DesiredStates;
import io.hvfabric.scheduler.network.NetworkOperations;
import io.hvfabric.scheduler.volume.VolumeOperations;
import io.hvfabric.scheduler.hosts.HostMetricsExporter;
import io.hvfabric.scheduler.hosts.HostRegistry;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.LeaderElection;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.leader.loop.LeaderLoops;
import io.hvfabric.scheduler.store.kv.EtcdClusterStore;
import io.hvfabric.scheduler.store.EtcdClients;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.tenants.TenantOperations;
import io.hvfabric.scheduler.drain.DrainPlanner;
import io.hvfabric.scheduler.drain.MigrationBudgets;
import io.hvfabric.scheduler.drain.ObservedCostModel;
import io.hvfabric.scheduler.drain.PreCopyCostModel;
import io.hvfabric.scheduler.migrate.CompletedMigrations;
import io.hvfabric.scheduler.migrate.MigrationTransport;
import io.hvfabric.scheduler.maintenance.DrainController;
import io.hvfabric.scheduler.maintenance.RebalanceService;
import io.hvfabric.scheduler.migrate.AgentChannels;
import io.hvfabric.scheduler.rebalance.Cooldown;
import io.hvfabric.scheduler.rebalance.RebalancePlanner;
import io.hvfabric.scheduler.revocation.CertificateRevocations;
import io.hvfabric.scheduler.migrate.MigrationController;
import io.hvfabric.scheduler.migrate.MigrationOperations;
import io.hvfabric.scheduler.placement.runtime.PlacementPipeline;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.view.CoalescedListener;
import io.hvfabric.scheduler.vsi.GuestStateExporter;
import io.hvfabric.scheduler.vsi.ImageCatalog;
import io.hvfabric.scheduler.vsi.PlacementInputs;
import io.hvfabric.scheduler.vsi.VsiOperations;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One scheduler replica: wiring only. Each part has one job; this class starts them in order and stops them. */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    private final Deque<AutoCloseable> closeables = new ConcurrentLinkedDeque<>();
    private final SchedulerConfig config;
    private Server server;
    private volatile LeaderElection election;
    private volatile ImageCatalog images;
    private volatile MigrationController migrations;

    private Scheduler(SchedulerConfig config) {
        this.config = config;
    }

    public static Scheduler start(SchedulerConfig config) throws Exception {
        Scheduler scheduler = new Scheduler(config);
        try {
            scheduler.startParts();
        } catch (Exception e) {
            scheduler.close();
            throw e;
        }
        return scheduler;
    }

    private void startParts() throws Exception {
        SchedulerMetrics metrics = new SchedulerMetrics();
        MetricsServer metricsServer = MetricsServer.start(socket(config.metrics()));
        closeables.push(metricsServer);

        Client etcd = EtcdClients.connect(config.etcdEndpoints(), config.etcdTls());
        closeables.push(etcd);
        Keys keys = new Keys(config.keyPrefix());

        ClusterView view = new ClusterView(etcd, keys);
        view.start();
        closeables.push(view);

        ClusterMembership membership = ClusterMembership.start(MembershipConfig.of(
                config.pekko().host(), config.pekko().port(), MembershipConfig.KIND_SCHEDULER, config.id(),
                config.seeds().stream().map(HostPort::toString).toList(), config.tls()));
        closeables.push(membership);

        String advertised = config.advertise().toString();
        ReplicaPresence presence = new ReplicaPresence(etcd, keys, ReplicaRecord.newBuilder()
                .setId(config.id())
                .setAddress(advertised)
                .setMetricsAddress(config.metrics().host() + ":" + metricsServer.port())
                .setStartedAt(Times.now())
                .build(), config.leaderLeaseTtl());
        presence.start();
        closeables.push(presence);

        // One writer per term: every VSI decision of this replica's terms goes through the term's loop. Its client is
        // the replica's etcd client, closed with it (the store is not closed on its own).
        // Fabric events: derived by the leader from committed changes, written with their cursor, fenced by the term.
        EventStore events = new EventStore(new EtcdClusterStore(etcd), keys, config.eventRetention(),
                Clock.systemUTC());
        EventPump eventPump = new EventPump(new EtcdClusterStore(etcd), keys, events, config.id(), Clock.systemUTC(),
                membership::reachabilityOf);
        closeables.push(eventPump);
        LeaderLoops loops = new LeaderLoops(new EtcdClusterStore(etcd), view, term -> {
            LeaderElection current = election;
            if (current != null) {
                current.stepDown(term);
            }
        });
        closeables.push(loops);
        election = new LeaderElection(etcd, keys,
                LeaderRecord.newBuilder().setId(config.id()).setAddress(advertised).build(),
                config.leaderLeaseTtl(), new LeaderElection.Listener() {
                    @Override
                    public void onElected(Term term) {
                        loops.start(term);
                        eventPump.start(term);
                        metrics.leader(true, term.revision());
                        onLeadership(term);
                    }

                    @Override
                    public void onDeposed(Term term) {
                        loops.stop(term);
                        eventPump.stop(term);
                        metrics.leader(false, term.revision());
                    }
                });
        election.start();
        closeables.push(election);

        FencedWriter writer = new FencedWriter(etcd.getKVClient(), election);
        HostRegistry registry = new HostRegistry(etcd, keys, view, writer, config.hostLeaseTtl());
        Forwarding forwarding = new Forwarding(config.id(), election, view,
                address -> GrpcTls.channel(address, config.tls()));
        closeables.push(forwarding);
        DesiredStates desired = new DesiredStates(view);
        PlacementInputs placementInputs = new PlacementInputs(view, membership::members);
        VsiOperations vsis = new VsiOperations(view, keys, loops,
                PlacementPipeline.fromConfig(config.placement()), placementInputs);
        images = new ImageCatalog(view, keys, writer, config.imageDir());
        AgentChannels agentChannels = new AgentChannels(view, address -> GrpcTls.channel(address, config.tls()));
        closeables.push(agentChannels);
        MigrationOperations migrationOps = new MigrationOperations(view, keys, writer,
                PlacementPipeline.fromConfig(config.placement()), placementInputs, membership::reachabilityOf, vsis);
        migrations = new MigrationController(view, migrationOps, agentChannels,
                new MigrationTransport(config.tls().isPresent(), config.migrationStreams()),
                term -> election.leading().map(term::equals).orElse(false));
        closeables.push(migrations);
        MigrationBudgets budgets = MigrationBudgets.defaults();
        // Drain ETAs and rebalance costs from what migrations here actually took, once a few have completed.
        ObservedCostModel costModel = new ObservedCostModel(new PreCopyCostModel(),
                () -> CompletedMigrations.recent(view, CompletedMigrations.WINDOW));
        DrainController drains = new DrainController(view, keys, writer,
                new DrainPlanner(PlacementPipeline.fromConfig(config.placement()), costModel), placementInputs,
                registry, migrationOps, migrations, membership::reachabilityOf, election::leading, budgets);
        drains.start();
        closeables.push(drains);
        RebalanceService rebalancer = new RebalanceService(view, placementInputs,
                RebalancePlanner.fromConfig(config.placement(), costModel), budgets, migrationOps, migrations,
                election::leading, config.rebalanceInterval(), config.rebalanceThreshold(), Cooldown.DEFAULT_WINDOW);
        rebalancer.start();
        closeables.push(rebalancer);
        GuestExecRelay exec = new GuestExecRelay(GuestExecRelay.Lookup.of(view, membership::reachabilityOf),
                agentChannels::forAddress);
        OperatorServiceImpl.Writes writes = new OperatorServiceImpl.Writes(forwarding, vsis, images,
                agentChannels::forAddress, exec, migrationOps, migrations, registry, drains, rebalancer,
                new TenantOperations(view, keys, writer),
                new CertificateRevocations(etcd.getKVClient(), keys, view, config.id(), Clock.systemUTC()),
                new NetworkOperations(view, keys, loops), new VolumeOperations(keys, loops));

        // Each replica records the calls it receives, off the calls' path; stopped after the server, so the last
        // calls' records are still written.
        EtcdAuditStore auditStore = new EtcdAuditStore(etcd, keys, config.auditRetention());
        AuditWriter auditWriter = new AuditWriter(auditStore, AuditWriter.DEFAULT_CAPACITY,
                PrometheusRegistry.defaultRegistry);
        closeables.push(auditWriter);
        OperatorServiceImpl operator = new OperatorServiceImpl(view, config.id(), config.etcdEndpoints(),
                membership::reachabilityOf, membership::members, writes, new OperatorServiceImpl.Audit(
                        new AuditInterceptor(config.id(), auditWriter::submit, Clock.systemUTC()), auditStore),
                events);
        // Scans of every host and VSI: at most once a second, off the watch thread (Prometheus scrapes every 15 s).
        CoalescedListener hostMetrics = new CoalescedListener(
                new HostMetricsExporter(view, metrics, membership::reachabilityOf), Duration.ofSeconds(1), "host-metrics");
        CoalescedListener guestMetrics = new CoalescedListener(new GuestStateExporter(view, metrics),
                Duration.ofSeconds(1), "guest-metrics");
        closeables.push(hostMetrics);
        closeables.push(guestMetrics);
        view.addListener(hostMetrics);
        view.addListener(guestMetrics);

        NettyServerBuilder builder = GrpcTls.serverBuilder(socket(config.listen()), config.tls());
        builder.intercept(Forwarding.serverInterceptor());
        builder.intercept(new SessionConsistency(view::revision, view::awaitRevision));
        server = GrpcServerFactory.start(builder,
                operator, new AgentServiceImpl(registry, forwarding, view, desired, metrics, vsis));
        closeables.push(() -> {
            server.shutdown();
            if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        });
        LOG.info("scheduler {} serving gRPC on {}, metrics on {}:{}", config.id(), advertised,
                config.metrics().host(), metricsServer.port());
    }

    /** First acts of a new leader; each is idempotent, so a repeated election is harmless. */
    private void onLeadership(Term term) {
        Thread t = new Thread(() -> {
            try {
                images.ensureDefault(term);
            } catch (RuntimeException e) {
                LOG.warn("could not record the default image: {}", e.toString());
            }
            migrations.onElected(term);
        }, "leader-bootstrap");
        t.setDaemon(true);
        t.start();
    }

    public int grpcPort() {
        return server.getPort();
    }

    public boolean isLeader() {
        return election != null && election.leading().isPresent();
    }

    static InetSocketAddress socket(HostPort hp) {
        return new InetSocketAddress(hp.host(), hp.port());
    }


    @Override
    public void close() {
        List<AutoCloseable> order = new ArrayList<>(closeables);
        closeables.clear();
        for (AutoCloseable c : order) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("error while stopping: {}", e.toString());
            }
        }
    }
}
