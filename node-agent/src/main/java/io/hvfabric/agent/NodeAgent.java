package io.hvfabric.agent;

import io.grpc.Server;
import io.hvfabric.agent.grpc.NodeServiceImpl;
import io.hvfabric.agent.host.HostDiscovery;
import io.hvfabric.agent.host.HostFacts;
import io.hvfabric.agent.host.AcceleratorDecider;
import io.hvfabric.agent.host.UsageSample;
import io.hvfabric.agent.link.CommandStream;
import io.hvfabric.agent.link.LearnedDenyList;
import io.hvfabric.agent.link.SchedulerEndpoints;
import io.hvfabric.agent.link.SchedulerLink;
import io.hvfabric.agent.link.TermGuard;
import io.hvfabric.common.grpc.GrpcServerFactory;
import io.hvfabric.migration.MigrationPolicy;
import io.hvfabric.migration.PolicyConfig;
import io.hvfabric.common.membership.ClusterMembership;
import io.hvfabric.common.membership.MembershipConfig;
import io.hvfabric.common.metrics.MetricsServer;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.proto.v1.DesiredState;
import io.hvfabric.proto.v1.HostInfo;
import io.hvfabric.proto.v1.HostUsage;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.RegisterResponse;
import io.hvfabric.proto.v1.VsiStatus;
import io.hvfabric.agent.cgroup.CgroupDetector;
import io.hvfabric.agent.driver.VirtDriver;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.fake.FakeDriver;
import io.hvfabric.agent.driver.qemu.QemuDriver;
import io.hvfabric.agent.driver.qemu.QemuDriverConfig;
import io.hvfabric.agent.guest.GuestCalls;
import io.hvfabric.agent.guest.GuestMonitors;
import io.hvfabric.agent.guest.GuestPolicy;
import io.hvfabric.agent.migration.MigrationServiceHandlers;
import io.hvfabric.agent.migration.MigrationSessions;
import io.hvfabric.agent.migration.MigrationSource;
import io.hvfabric.agent.migration.MigrationTarget;
import io.hvfabric.agent.migration.MigrationTls;
import io.hvfabric.agent.migration.PostcopySupport;
import io.hvfabric.agent.network.CommandRunner;
import io.hvfabric.agent.network.NetworkMetrics;
import io.hvfabric.agent.network.NoNetworking;
import io.hvfabric.agent.network.OverlayDataPlane;
import io.hvfabric.agent.network.OverlayDecision;
import io.hvfabric.agent.network.OverlayNetworking;
import io.hvfabric.agent.network.OverlayProbe;
import io.hvfabric.agent.network.SimulatedNetworking;
import io.hvfabric.agent.network.TapStatistics;
import io.hvfabric.agent.network.VsiNetworking;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.hvfabric.agent.vsi.ConsoleLogCap;
import io.hvfabric.agent.vsi.ImageFiles;
import io.hvfabric.agent.vsi.LaunchSpecs;
import io.hvfabric.agent.volume.VolumeFiles;
import io.hvfabric.agent.vsi.Reconciler;
import io.hvfabric.agent.vsi.RestartPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One node agent: wiring only. Discovers the host, serves NodeService, registers and heartbeats, takes commands. */
public final class NodeAgent implements AutoCloseable {
    static final String VERSION = "0.1.0";
    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

    private final Deque<AutoCloseable> closeables = new ConcurrentLinkedDeque<>();
    private final AgentConfig config;
    private final AgentMetrics metrics = new AgentMetrics();
    private final TermGuard terms = new TermGuard();
    private final LearnedDenyList revoked = new LearnedDenyList();
    private final AtomicReference<DesiredState> desired = new AtomicReference<>(DesiredState.getDefaultInstance());
    private HostDiscovery discovery;
    private HostProfile profile;
    private Server server;
    private volatile SchedulerLink link;
    private VirtDriver driver;
    private VsiNetworking networking;
    private Reconciler reconciler;

    private NodeAgent(AgentConfig config) {
        this.config = config;
    }

    public static NodeAgent start(AgentConfig config) throws Exception {
        NodeAgent agent = new NodeAgent(config);
        try {
            agent.startParts();
        } catch (Exception e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    private void startParts() throws Exception {
        Files.createDirectories(config.stateDir());
        MetricsServer metricsServer = MetricsServer.start(socket(config.metrics()));
        closeables.push(metricsServer);

        discovery = new HostDiscovery(config.stateDir(), config.defaultNicMbps());
        HostFacts facts = discovery.discover();
        String qemuVersion = QemuVersion.detect();
        AcceleratorDecider.Decision accel = new AcceleratorDecider().decide(new AcceleratorDecider.Inputs(
                config.accelMode(), config.imageDir(), config.accelCacheDir(), facts.kernelRelease(), qemuVersion,
                VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE, config.kvmBootBound()));
        profile = HostProfile.of(facts, accel.probe(), accel.choice(), config.reservedMemoryMib(),
                CgroupDetector.detect(CgroupDetector.DEFAULT_ROOT).label(), qemuVersion,
                VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE);
        OverlayDecision overlay = OverlayProbe.decide(config.overlayMode(), "fake".equals(config.driver()),
                config.underlayDev().orElse(facts.nic().name()), CommandRunner.local());
        profile = profile.withOverlay(overlay).withMigrationTunnel(config.migrationTunnel() && config.tls()
                .map(t -> MigrationTls.besideAgent(t, config.hostId())).filter(f -> MigrationTls.problem(f).isEmpty())
                .isPresent());
        LOG.info("tenant networks: {} ({})", overlay.kind(), overlay.reason());
        LOG.info("host {}: {} vCPUs, {} MiB, {} GiB disk free, NIC {} {} Mbps{}, accelerator {} ({})",
                config.hostId(), facts.logicalCpus(), facts.memoryTotalMib(), facts.diskFreeGib(),
                facts.nic().name(), facts.nic().speedMbps(), facts.nic().speedDefaulted() ? " (default)" : "",
                profile.capabilities().getAccelerator(), accel.choice().reason());
        exportCapacity();

        driver = createDriver();
        networking = createNetworking(overlay);
        ConsoleLogCap consoleLogCap = new ConsoleLogCap(() -> driver.listRunning().stream()
                .map(vm -> driver.consoleLog(vm.name())).toList(), ConsoleLogCap.DEFAULT_MAX_BYTES);
        consoleLogCap.start();
        closeables.push(consoleLogCap);
        LaunchSpecs launchSpecs = new LaunchSpecs(new ImageFiles(config.imageDir()), accel.choice().accelerator(),
                profile.capabilities().getCpuModel(), profile.capabilities().getMachineType(),
                Optional.of(new VolumeFiles(config.stateDir().toAbsolutePath().resolve("volumes"))));
        MigrationSessions migrationSessions = new MigrationSessions();
        Runnable nudge = () -> {
            if (link != null) {
                link.nudge();
            }
        };
        GuestMonitors guests = new GuestMonitors(driver::guestAgentSocket, GuestPolicy.DEFAULT, Clock.systemUTC(),
                (vsi, state) -> {
                    metrics.guestState(vsi, state);
                    nudge.run();
                });
        guests.start();
        closeables.push(guests);
        reconciler = new Reconciler(driver, launchSpecs, RestartPolicy.DEFAULT, nudge, migrationSessions::isIncoming,
                guests, networking);
        reconciler.start();
        closeables.push(reconciler);

        NodeServiceImpl nodeService = new NodeServiceImpl(this::hostInfo, driver::consoleLog, this::assignedHere,
                migrationHandlers(launchSpecs, migrationSessions),
                new GuestCalls(guests, driver, config.hostId()), revoked);
        closeables.push(nodeService);
        server = GrpcServerFactory.start(GrpcTls.serverBuilder(socket(config.listen()), config.tls()), nodeService);
        closeables.push(() -> {
            server.shutdown();
            if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        });

        ClusterMembership membership = ClusterMembership.start(MembershipConfig.of(
                config.pekko().host(), config.pekko().port(), MembershipConfig.KIND_AGENT, config.hostId(),
                config.seeds().stream().map(HostPort::toString).toList(), config.tls()));
        closeables.push(membership);

        SchedulerEndpoints endpoints = new SchedulerEndpoints(config.schedulers(), config.tls());
        closeables.push(endpoints);
        String metricsAddress = config.metrics().host() + ":" + metricsServer.port();
        RegisterRequest registration = RegisterRequest.newBuilder()
                .setHostId(config.hostId())
                .setAddress(config.advertise().host() + ":" + server.getPort())
                .setCapacity(profile.capacity())
                .setCapabilities(profile.capabilities())
                .setMetricsAddress(metricsAddress)
                .setAgentVersion(VERSION)
                .build();
        link = new SchedulerLink(endpoints, () -> registration, new SchedulerLink.Reporter() {
            @Override
            public HostUsage usage() {
                return sampleUsage();
            }

            @Override
            public List<VsiStatus> vsis() {
                return reconciler.statuses();
            }
        }, terms, revoked, new SchedulerLink.Listener() {
            @Override
            public void onRegistered(RegisterResponse response) {
                metrics.registrations.inc();
                metrics.term.set(terms.highest());
            }

            @Override
            public void onHeartbeat(boolean ok) {
                metrics.heartbeats.labelValues(ok ? "ok" : "error").inc();
                metrics.term.set(terms.highest());
            }
        });
        link.start();
        closeables.push(link);

        CommandStream commands = new CommandStream(endpoints, config.hostId(), terms, this::onDesired);
        commands.start();
        closeables.push(commands);
        LOG.info("node agent {} serving on {}", config.hostId(), registration.getAddress());
    }

    private void onDesired(DesiredState state) {
        desired.set(state);
        LOG.info("desired state: {} VSIs at revision {}", state.getVsisCount(), state.getRevision());
        reconciler.setDesired(state);
    }

    /**
     * Live migration needs QMP, so only the QEMU driver gets the two roles. The target listens for the memory
     * stream on the advertised address; with TLS both ends use the host's migration certificate beside the agent's
     * (serverAuth+clientAuth, role migration), never the agent's own key: QEMU can read what it is given.
     */
    private MigrationServiceHandlers migrationHandlers(LaunchSpecs launchSpecs, MigrationSessions sessions) {
        if (!(driver instanceof QemuDriver qemu)) {
            return new MigrationServiceHandlers(Optional.empty(), Optional.empty(), terms);
        }
        boolean postcopy = PostcopySupport.available(qemu.runAsUser());
        LOG.info("live migration: post-copy {}", postcopy ? "available"
                : "unavailable (QEMU runs unprivileged and vm.unprivileged_userfaultfd is not 1)");
        MigrationPolicy policy = new MigrationPolicy(PolicyConfig.defaults().toBuilder().postcopyAllowed(postcopy).build());
        Optional<TlsFiles> migrationTls = config.tls().map(t -> MigrationTls.besideAgent(t, config.hostId()));
        migrationTls.flatMap(MigrationTls::problem).ifPresent(p -> LOG.warn("live migration over TLS will be refused: {}", p));
        MigrationSource source = new MigrationSource(driver, qemu::qmp, migrationTls, sessions, policy);
        MigrationTarget target = new MigrationTarget(driver, qemu::qmp, launchSpecs, migrationTls,
                config.advertise().host(), sessions, policy, networking);
        return new MigrationServiceHandlers(Optional.of(source), Optional.of(target), terms);
    }

    private boolean assignedHere(String name) {
        return desired.get().getVsisList().stream().anyMatch(a -> a.getSpec().getName().equals(name));
    }

    /** QEMU for real hosts; the fake driver only when configured (scale simulation, scheduler tests). */
    private VirtDriver createDriver() {
        Path runRoot = config.stateDir().toAbsolutePath().resolve("vms");
        if ("fake".equals(config.driver())) {
            return new FakeDriver(runRoot);
        }
        // One cgroup parent per host id, so several lab agents on one machine never collide.
        QemuDriver qemu = new QemuDriver(QemuDriverConfig.defaults(runRoot, config.vsiUidRange()),
                CgroupDetector.managerFor(CgroupDetector.DEFAULT_ROOT, "hvfabric-" + config.hostId()));
        closeables.push(qemu);
        LOG.info("QEMU processes run as {}", qemu.runAsUser().orElse("the agent's own user (the agent is not root)"));
        return qemu;
    }

    /**
     * The real data plane in this host's own namespaces; nothing on the host beside the fake driver. Networks and
     * taps outlive the agent like its guests do: a restarted agent converges what it finds.
     */
    private VsiNetworking createNetworking(OverlayDecision overlay) {
        switch (overlay.kind()) {
            case REAL -> {
                OverlayNetworking real = new OverlayNetworking(new OverlayDataPlane(CommandRunner.local(),
                        CommandRunner.local(), overlay.underlay().orElseThrow(), config.networkNamespacePrefix(),
                        config.stateDir().toAbsolutePath().resolve("networks")));
                new NetworkMetrics(real::current, TapStatistics.system()).register(PrometheusRegistry.defaultRegistry);
                return real;
            }
            case SIMULATED -> {
                return new SimulatedNetworking();
            }
            default -> {
                return new NoNetworking(overlay.reason());
            }
        }
    }

    private HostUsage sampleUsage() {
        UsageSample sample = discovery.sampleUsage();
        HostUsage usage = HostUsage.newBuilder()
                .setLoadAverage1M(sample.loadAverage1m())
                .setMemoryAvailableMib(sample.memoryAvailableMib())
                .setDiskFreeGib(sample.diskFreeGib())
                .setRunningVsis(reconciler == null ? 0 : reconciler.runningCount())
                .build();
        metrics.usage.labelValues("load_average_1m").set(usage.getLoadAverage1M());
        metrics.usage.labelValues("memory_available_mib").set(usage.getMemoryAvailableMib());
        metrics.usage.labelValues("disk_free_gib").set(usage.getDiskFreeGib());
        metrics.usage.labelValues("running_vsis").set(usage.getRunningVsis());
        return usage;
    }

    private HostInfo hostInfo() {
        return HostInfo.newBuilder()
                .setHostId(config.hostId())
                .setCapacity(profile.capacity())
                .setCapabilities(profile.capabilities())
                .setUsage(sampleUsage())
                .setHighestTermSeen(terms.highest())
                .addAllVsis(reconciler.statuses())
                .build();
    }

    private void exportCapacity() {
        metrics.capacity.labelValues("vcpus").set(profile.capacity().getVcpus());
        metrics.capacity.labelValues("memory_mib").set(profile.capacity().getMemoryMib());
        metrics.capacity.labelValues("disk_gib").set(profile.capacity().getDiskGib());
        metrics.capacity.labelValues("nic_mbps").set(profile.capacity().getNicMbps());
        metrics.kvmUsable.set(profile.capabilities().getKvmBootVerified() ? 1 : 0);
        metrics.accelerator.labelValues(profile.capabilities().getAccelerator(), profile.capabilities().getAccelMode(),
                Boolean.toString(profile.capabilities().getKvmPvm())).set(1);
    }

    private static InetSocketAddress socket(HostPort hp) {
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
