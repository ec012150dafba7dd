package io.hvfabric.lab;

import io.hvfabric.cli.ca.Role;
import io.hvfabric.proto.v1.Host;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A running lab: one etcd, two scheduler replicas and N node agents, each agent a host (its own network
 * namespace when running as root on Linux). The demo, bin/lab and the integration tests all go through here.
 *
 * <pre>
 * try (Lab lab = Lab.up(LabConfig.builder().hosts(3).dir(tmp).name("t1").build())) {
 *     lab.kill9("sched-1");
 *     lab.restart("sched-1");
 * }
 * </pre>
 */
public final class Lab implements AutoCloseable {
    public static final int SCHEDULER_REPLICAS = 2;
    /** Agents in their own namespaces each have their own IP, so fixed ports never clash. */
    static final int AGENT_GRPC_PORT = 7100;
    static final int AGENT_METRICS_PORT = 9100;
    static final int AGENT_PEKKO_PORT = 25520;
    static final String HVCTL_ENV = "hvctl.env";
    private static final Duration POLL = Duration.ofMillis(500);

    private final Path dir;
    private final LabNames names;
    private final CommandRunner shell = new CommandRunner();
    private final ProcessLauncher launcher = new ProcessLauncher();
    private LabState state;

    private Lab(Path dir, LabState state) {
        this.dir = dir;
        this.names = new LabNames(state.name());
        this.state = state;
    }

    /** Starts a lab and returns once every host is READY; on failure removes what it started and throws. */
    public static Lab up(LabConfig config) {
        Path dir = config.dir();
        LabNames names = config.names();
        refuseIfRunning(dir);
        refuseIfNameInUse(names, dir);
        recordedName(dir).filter(n -> !n.equals(names.name())).ifPresent(previous -> sweep(dir, previous));
        sweep(dir, names.name()); // leftovers of a crashed lab of this name
        LabNetwork network = network(config);
        checkPrerequisites(network);
        config.repo().classPath("scheduler"); // fail on unbuilt modules before anything is created
        config.repo().classPath("node-agent");
        Path tls = dir.resolve("tls");
        LabState initial = new LabState(names.name(), dir.toString(), network.mode(), config.subnet(), config.insecure(),
                config.hosts(), null, List.of(), config.insecure() ? null : tls.toString(), List.of(), List.of());
        Lab lab = new Lab(dir, initial);
        try {
            Files.createDirectories(lab.logDir());
            lab.save();
            lab.start(config, network);
            return lab;
        } catch (RuntimeException | IOException e) {
            try {
                lab.down();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof LabException le) {
                throw le;
            }
            throw new LabException("dir: " + e.getMessage(), e);
        }
    }

    /** The lab whose state file lies in {@code dir}, if any. */
    public static Optional<Lab> attach(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        return LabState.load(abs).map(s -> new Lab(abs, s));
    }

    /** Removes a lab by naming convention alone: for a missing or unreadable state file. */
    public static void sweep(Path dir, String name) {
        Path abs = dir.toAbsolutePath().normalize();
        Optional<LabState> state;
        try {
            state = LabState.load(abs).filter(s -> s.name().equals(name));
        } catch (LabException unreadable) {
            state = Optional.empty();
        }
        new LabSweeper(new LabNames(name), abs, new CommandRunner()).sweep(state);
    }

    private static Optional<String> recordedName(Path dir) {
        try {
            return LabState.load(dir).map(LabState::name);
        } catch (LabException unreadable) {
            return Optional.empty();
        }
    }

    private static void refuseIfRunning(Path dir) {
        Optional<LabState> existing;
        try {
            existing = LabState.load(dir);
        } catch (LabException unreadable) {
            return; // a torn state file is swept like any leftover
        }
        existing.map(LabStatus::of).filter(s -> s.components().stream().anyMatch(LabStatus.Component::alive))
                .ifPresent(s -> {
                    throw new LabException("lab '" + s.name() + "' is already running in " + dir
                            + " (run `bin/lab down --dir " + dir + "` first)");
                });
    }

    /** Names must be unique per machine (they name bridges); never sweep another directory's live lab. */
    private static void refuseIfNameInUse(LabNames names, Path dir) {
        java.util.Set<Long> live = new LabSweeper(names, dir, new CommandRunner()).strays(Optional.empty());
        if (!live.isEmpty()) {
            throw new LabException("name: processes of a lab named '" + names.name() + "' are running (pids " + live
                    + "); pick another --name or run `bin/lab down --name " + names.name() + " --dir <its dir>`");
        }
    }

    private static LabNetwork network(LabConfig config) {
        NetworkMode mode = config.network().resolve();
        if (mode == NetworkMode.NAMESPACES) {
            if (!Platform.isLinuxRoot()) {
                throw new LabException("network: namespaces need root on Linux; use --network loopback");
            }
            return new HostNetwork(config.names(), new CommandRunner(), config.subnet());
        }
        return new LoopbackNetwork();
    }

    private static void checkPrerequisites(LabNetwork network) {
        CommandRunner shell = new CommandRunner();
        List<String> tools = new ArrayList<>(List.of("etcd", "etcdctl"));
        if (Platform.isLinux()) {
            tools.add("setsid");
        }
        if (network instanceof HostNetwork) {
            tools.add("ip");
        }
        for (String tool : tools) {
            if (!shell.attempt(List.of("sh", "-c", "command -v " + tool)).ok()) {
                throw new LabException(tool + ": not found on PATH; run bin/install-deps");
            }
        }
    }

    private void start(LabConfig config, LabNetwork network) {
        network.create(config.hosts());
        List<String> namespaces = new ArrayList<>();
        for (int i = 1; i <= config.hosts(); i++) {
            network.hostNamespace(i).ifPresent(namespaces::add);
        }
        state = state.withNetwork(network.subnet(), namespaces);
        save();

        String infra = network.infraAddress();
        if (!config.insecure()) {
            LabCertificates certs = certificates();
            certs.initCa();
            for (int r = 1; r <= SCHEDULER_REPLICAS; r++) {
                certs.issueScheduler(names.schedulerId(r), infra);
            }
            for (int i = 1; i <= config.hosts(); i++) {
                certs.issueAgent(names.hostId(i), network.hostAddress(i));
            }
            certs.issueEtcd();
        }

        ComponentCommands commands = new ComponentCommands(config, Platform.javaBinary());
        PortAllocator ports = new PortAllocator();
        ComponentSpec etcdSpec = new EtcdLauncher(commands, ports).spec(logDir().toString(), names.etcdMemberName());
        ComponentRecord etcdRecord = launcher.start(etcdSpec);
        state = state.with(etcdRecord).withEtcdEndpoint(commands.etcdUrl(etcdSpec.address()));
        save();
        EtcdLauncher.awaitHealthy(etcdRecord, etcdctl());
        if (!config.insecure()) {
            List<String> schedulerUsers = new ArrayList<>();
            for (int r = 1; r <= SCHEDULER_REPLICAS; r++) {
                schedulerUsers.add(names.schedulerId(r));
            }
            new EtcdAuthorization(etcdctl()).enable(schedulerUsers);
        }

        List<ComponentSpec> schedulers = schedulerSpecs(commands, ports, infra);
        List<String> schedulerEndpoints = schedulers.stream().map(ComponentSpec::address).toList();
        state = state.withSchedulerEndpoints(schedulerEndpoints);
        List<String> seeds = seeds(schedulers);
        long deadline = System.nanoTime() + config.readyTimeout().toNanos();
        List<ComponentRecord> started = new ArrayList<>();
        for (ComponentSpec spec : schedulers) {
            started.add(startAndRecord(spec));
        }
        // Agents only once the schedulers listen: on two cores, JVMs starting all at once starve each other.
        for (ComponentRecord scheduler : started) {
            awaitListening(scheduler, deadline);
        }
        for (int i = 1; i <= config.hosts(); i++) {
            startAndRecord(agentSpec(commands, ports, network, i, schedulerEndpoints, seeds));
        }
        writeHvctlEnv();
        awaitHostsReady(Duration.ofNanos(Math.max(deadline - System.nanoTime(), POLL.toNanos())));
    }

    private static void awaitListening(ComponentRecord component, long deadline) {
        String address = component.spec().address();
        int colon = address.lastIndexOf(':');
        InetSocketAddress endpoint = new InetSocketAddress(address.substring(0, colon),
                Integer.parseInt(address.substring(colon + 1)));
        while (true) {
            if (!Processes.isSame(component.pid(), component.startTicks())) {
                throw new LabException(component.id() + ": exited during startup" + tails(List.of(component)));
            }
            try (Socket socket = new Socket()) {
                socket.connect(endpoint, 500);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new LabException(component.id() + ": not listening on " + address + " in time"
                            + tails(List.of(component)));
                }
                Processes.sleep(POLL);
            }
        }
    }

    private List<ComponentSpec> schedulerSpecs(ComponentCommands commands, PortAllocator ports, String infra) {
        record Ports(int grpc, int metrics, int pekko) {}
        List<Ports> allocated = new ArrayList<>();
        for (int r = 1; r <= SCHEDULER_REPLICAS; r++) {
            allocated.add(new Ports(ports.freePort(infra), ports.freePort(infra), ports.freePort(infra)));
        }
        List<String> seeds = allocated.stream().map(p -> infra + ":" + p.pekko()).toList();
        List<ComponentSpec> specs = new ArrayList<>();
        for (int r = 1; r <= SCHEDULER_REPLICAS; r++) {
            Ports p = allocated.get(r - 1);
            String id = names.schedulerId(r);
            String listen = infra + ":" + p.grpc();
            specs.add(new ComponentSpec(ComponentKind.SCHEDULER, id, listen, null,
                    commands.scheduler(id, listen, state.etcdEndpoint(), infra + ":" + p.metrics(),
                            infra + ":" + p.pekko(), seeds),
                    logDir().resolve(id + ".log").toString(), id));
        }
        return specs;
    }

    /** Both replicas' Pekko addresses: the cluster's seed nodes, taken from the scheduler command lines. */
    private static List<String> seeds(List<ComponentSpec> schedulers) {
        List<String> cmd = schedulers.get(0).command();
        return List.of(cmd.get(cmd.indexOf("--seeds") + 1).split(","));
    }

    private ComponentSpec agentSpec(ComponentCommands commands, PortAllocator ports, LabNetwork network, int i,
            List<String> schedulers, List<String> seeds) {
        String id = names.hostId(i);
        String ip = network.hostAddress(i);
        boolean probe = network.hostPortsVisible();
        String listen = ip + ":" + (probe ? ports.freePort(ip) : AGENT_GRPC_PORT);
        String metrics = ip + ":" + (probe ? ports.freePort(ip) : AGENT_METRICS_PORT);
        String pekko = ip + ":" + (probe ? ports.freePort(ip) : AGENT_PEKKO_PORT);
        List<String> cmd = new ArrayList<>(network.enterHost(i));
        cmd.addAll(commands.agent(id, i, network, listen, schedulers, metrics, pekko, seeds));
        return new ComponentSpec(ComponentKind.AGENT, id, listen, network.hostNamespace(i).orElse(null), cmd,
                logDir().resolve(id + ".log").toString(), id);
    }

    private synchronized ComponentRecord startAndRecord(ComponentSpec spec) {
        ComponentRecord started = launcher.start(spec);
        state = state.with(started);
        save();
        return started;
    }

    /** Waits until the schedulers report every host of this lab READY. */
    public void awaitHostsReady(Duration timeout) {
        int expected = state.hosts();
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastSeen = "no answer yet";
        try (ReadinessProbe probe = new ReadinessProbe(state.schedulerEndpoints(), probeTls())) {
            while (true) {
                List<ComponentRecord> dead = deadComponents();
                if (!dead.isEmpty()) {
                    throw new LabException(dead.stream().map(ComponentRecord::id).collect(Collectors.joining(", "))
                            + " exited while waiting for hosts to be READY" + tails(dead));
                }
                try {
                    List<Host> hosts = probe.hosts();
                    long ready = hosts.stream().filter(h -> h.getState() == Host.State.READY).count();
                    if (ready >= expected) {
                        return;
                    }
                    lastSeen = ready + " of " + expected + " READY (" + describe(hosts) + ")";
                } catch (LabException e) {
                    lastSeen = e.getMessage();
                }
                if (System.nanoTime() > deadline) {
                    throw new LabException("hosts: not READY after " + timeout.toSeconds() + " s: " + lastSeen
                            + tails(notReadyAgents(probe)));
                }
                Processes.sleep(POLL);
            }
        }
    }

    private CertificateFiles probeTls() {
        return state.insecure() ? null : certificates().files(LabCertificates.OPERATOR);
    }

    /** etcdctl as etcd's root user, or plaintext on an insecure lab. */
    private Etcdctl etcdctl() {
        CertificateFiles root = state.insecure() ? null
                : certificates().files(LabCertificates.ETCD_ROOT);
        return new Etcdctl(state.etcdEndpoint(), root, shell);
    }

    private static String describe(List<Host> hosts) {
        return hosts.isEmpty() ? "no hosts registered"
                : hosts.stream().map(h -> h.getId() + " " + h.getState()).collect(Collectors.joining(", "));
    }

    private List<ComponentRecord> deadComponents() {
        return state.components().stream().filter(c -> !Processes.isSame(c.pid(), c.startTicks())).toList();
    }

    /** Agents the schedulers do not see READY, or every scheduler when they do not answer at all. */
    private List<ComponentRecord> notReadyAgents(ReadinessProbe probe) {
        try {
            Map<String, Host.State> seen = probe.hosts().stream().collect(Collectors.toMap(Host::getId, Host::getState));
            return state.components().stream().filter(c -> c.kind() == ComponentKind.AGENT)
                    .filter(c -> seen.get(c.id()) != Host.State.READY).limit(2).toList();
        } catch (LabException e) {
            return state.components().stream().filter(c -> c.kind() == ComponentKind.SCHEDULER).toList();
        }
    }

    private static String tails(List<ComponentRecord> components) {
        return components.stream().map(c -> System.lineSeparator() + LogTail.of(c.spec().log(), 15))
                .collect(Collectors.joining());
    }

    /** Environment for bin/hvctl: where the schedulers are and which certificates to present. */
    private void writeHvctlEnv() {
        StringBuilder env = new StringBuilder();
        for (Map.Entry<String, String> e : hvctlEnvironment().entrySet()) {
            env.append(e.getKey()).append('=').append(e.getValue()).append(System.lineSeparator());
        }
        try {
            Files.writeString(dir.resolve(HVCTL_ENV), env.toString());
        } catch (IOException e) {
            throw new LabException("dir: cannot write " + dir.resolve(HVCTL_ENV) + ": " + e.getMessage(), e);
        }
    }

    /** HVCTL_SCHEDULER (comma-separated replicas) and HVCTL_TLS_DIR, or HVCTL_INSECURE=true. */
    public Map<String, String> hvctlEnvironment() {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("HVCTL_SCHEDULER", String.join(",", state.schedulerEndpoints()));
        if (state.insecure()) {
            env.put("HVCTL_INSECURE", "true");
        } else {
            env.put("HVCTL_TLS_DIR", certificates().dirOf(LabCertificates.OPERATOR).toString());
        }
        return env;
    }

    public LabStatus status() {
        return LabStatus.of(state);
    }

    /** Stops every process, removes namespaces, links and state; keeps DIR/logs. Idempotent. */
    public synchronized void down() {
        new LabSweeper(names, dir, shell).sweep(Optional.of(state));
    }

    @Override
    public void close() {
        down();
    }

    /** SIGKILL, as a crash would: children (an agent's QEMUs) are left running. Waits until it is gone. */
    public synchronized void kill9(String id) {
        ComponentRecord c = component(id);
        if (Processes.isSame(c.pid(), c.startTicks())) {
            ProcessHandle.of(c.pid()).ifPresent(ProcessHandle::destroyForcibly);
            if (!Processes.awaitExit(List.of(c.pid()), Duration.ofSeconds(10))) {
                throw new LabException(id + ": pid " + c.pid() + " survived SIGKILL");
            }
        }
    }

    /** Starts the component again with its recorded command line, killing it first if it still runs. */
    public synchronized void restart(String id) {
        ComponentRecord c = component(id);
        kill9(id);
        ComponentRecord started = launcher.start(c.spec());
        state = state.with(started);
        save();
        if (c.kind() == ComponentKind.ETCD) {
            EtcdLauncher.awaitHealthy(started, etcdctl());
        }
    }

    public boolean isAlive(String id) {
        ComponentRecord c = component(id);
        return Processes.isSame(c.pid(), c.startTicks());
    }

    public ComponentRecord component(String id) {
        return state.component(id).orElseThrow(() -> new LabException("component: no '" + id + "' in lab '"
                + names.name() + "' (known: " + state.components().stream().map(ComponentRecord::id)
                        .collect(Collectors.joining(", ")) + ")"));
    }

    public List<ComponentRecord> components() {
        return state.components();
    }

    public String name() {
        return names.name();
    }

    public Path dir() {
        return dir;
    }

    public Path logDir() {
        return dir.resolve("logs");
    }

    /** etcd's client URL (https unless insecure), on the root namespace's loopback only. */
    public String etcdEndpoint() {
        return state.etcdEndpoint();
    }

    public List<String> schedulerEndpoints() {
        return state.schedulerEndpoints();
    }

    public String schedulerEndpoint(String schedulerId) {
        return component(schedulerId).spec().address();
    }

    /**
     * The key directory of {@code name} (a component, the operator, etcd's {@code root}, or a client issued by
     * {@link #issueClient}): {@code ca.crt}, {@code NAME.crt} and {@code NAME.key}, the only files that process reads.
     */
    public Path keyDir(String name) {
        return certificates().dirOf(name);
    }

    /** A certificate of {@code role} for a client the lab does not run, in its own {@link #keyDir}. */
    public Path issueClient(String name, Role role) {
        certificates().issueClient(name, role);
        return keyDir(name);
    }

    /** A tenant user's certificate (role tenant, the tenant in its URI SAN), in its own {@link #keyDir}. */
    public Path issueTenant(String user, String tenant) {
        certificates().issueTenant(user, tenant);
        return keyDir(user);
    }

    private LabCertificates certificates() {
        if (state.insecure()) {
            throw new LabException("tls: this lab runs with --insecure and has no certificates");
        }
        return new LabCertificates(Path.of(state.tlsDir()));
    }

    public boolean insecure() {
        return state.insecure();
    }

    /** Namespaces of the hosts in host order; empty on loopback. */
    public List<String> hostNamespaces() {
        return state.namespaces();
    }

    public Optional<String> hostNamespace(String hostId) {
        return Optional.ofNullable(component(hostId).spec().namespace());
    }

    public String hostAddress(String hostId) {
        String address = component(hostId).spec().address();
        return address.substring(0, address.lastIndexOf(':'));
    }

    public List<String> hostIds() {
        return state.components().stream().filter(c -> c.kind() == ComponentKind.AGENT).map(ComponentRecord::id).toList();
    }

    private void save() {
        state.save(dir);
    }
}
