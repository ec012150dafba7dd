package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.hvfabric.agent.cgroup.CgroupDetector;
import io.hvfabric.agent.cgroup.CgroupManager;
import io.hvfabric.agent.driver.Accelerator;
import io.hvfabric.agent.driver.VmHandle;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.VmStatus;
import io.hvfabric.agent.driver.qemu.QemuDriver;
import io.hvfabric.agent.driver.qemu.QemuDriverConfig;
import io.hvfabric.agent.guest.GuestCalls;
import io.hvfabric.agent.guest.GuestMonitors;
import io.hvfabric.agent.guest.GuestPolicy;
import io.hvfabric.agent.qmp.QmpClient;
import io.hvfabric.agent.testkit.DefaultImage;
import io.hvfabric.agent.vsi.ImageFiles;
import io.hvfabric.agent.vsi.LaunchSpecs;
import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.Role;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.migration.MigrationPolicy;
import io.hvfabric.migration.PolicyConfig;
import io.hvfabric.proto.v1.AwaitGuestRequest;
import io.hvfabric.proto.v1.AwaitGuestResponse;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.MigrationObjective;
import io.hvfabric.proto.v1.MigrationProgress;
import io.hvfabric.proto.v1.ReceiveMigrationRequest;
import io.hvfabric.proto.v1.SendMigrationRequest;
import io.hvfabric.proto.v1.TargetEvent;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Live migration between two QEMU drivers (two run roots, two cgroup parents: two "hosts", host-1 the source and host-2
 * the target) on loopback, through the real source and target roles, over TLS with the hosts' migration certificates
 * from the fabric CA. Real QEMU under TCG with the default image; at most two guests at a time (and a bare QEMU
 * playing an intruder).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class QemuMigrationIT {
    private static final Pattern TICK = Pattern.compile("hvf-tick (\\d+) uptime=([0-9.]+)");
    private static final String HOST_IP = "127.0.0.1";
    private static final long MEMORY_MIB = 256;

    private static Path tmp;
    private static Path imageDir;
    private static Image image;
    private static boolean guestAgent;
    private static Path tlsDir;
    private static TlsFiles agent1;
    private static TlsFiles tls1;
    private static TlsFiles tls2;

    private final List<QemuDriver> drivers = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private QemuDriver driverA;
    private QemuDriver driverB;
    private MigrationSource source;
    private MigrationTarget target;
    private String name;

    @BeforeAll
    static void imageAndCertificates() throws Exception {
        imageDir = DefaultImage.build();
        guestAgent = DefaultImage.features(imageDir).contains("guest-agent");
        image = Image.newBuilder().setName("default")
                .setKernel(imageDir.resolve("vmlinuz").toString())
                .setInitrd(imageDir.resolve("initrd.gz").toString())
                .setCmdline(Files.readString(imageDir.resolve("cmdline")).trim())
                .build();
        tmp = Files.createTempDirectory("hvf-mig-it");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        // One --tls-dir for all hosts, as the lab's: each host's agent pair and, beside it, its migration pair.
        tlsDir = Files.createDirectories(tmp.resolve("tls"));
        FabricCa ca = FabricCa.init(tlsDir);
        for (String host : List.of("host-1", "host-2", "host-3")) {
            ca.issue(host, Role.AGENT, List.of(HOST_IP), List.of());
            ca.issue(host, Role.MIGRATION, List.of(HOST_IP), List.of());
        }
        ca.issue("alice", Role.OPERATOR, List.of(), List.of());
        agent1 = TlsFiles.inDir(tlsDir, "host-1");
        tls1 = MigrationTls.besideAgent(agent1, "host-1");
        tls2 = MigrationTls.besideAgent(TlsFiles.inDir(tlsDir, "host-2"), "host-2");
    }

    @BeforeEach
    void twoHosts() throws Exception {
        LaunchSpecs launchSpecs = new LaunchSpecs(new ImageFiles(imageDir),
                Accelerator.TCG, VmLaunchSpec.DEFAULT_CPU_MODEL,
                VmLaunchSpec.DEFAULT_MACHINE_TYPE);
        driverA = driver("a");
        driverB = driver("b");
        // As NodeAgent does: post-copy only where this host's QEMU can open userfaultfd.
        MigrationPolicy policy = new MigrationPolicy(PolicyConfig.defaults().toBuilder()
                .postcopyAllowed(PostcopySupport.available(driverA.runAsUser())).build());
        source = new MigrationSource(driverA, driverA::qmp, Optional.of(tls1), new MigrationSessions(), policy);
        target = new MigrationTarget(driverB, driverB::qmp, launchSpecs, Optional.of(tls2), HOST_IP,
                new MigrationSessions(), policy);
    }

    private QemuDriver driver(String host) throws Exception {
        Path runRoot = Files.createDirectories(tmp.resolve("run-" + host));
        Files.setPosixFilePermissions(runRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
        CgroupManager cgroups = CgroupDetector.managerFor(CgroupDetector.DEFAULT_ROOT, "hvfabric-it-mig-" + host);
        QemuDriver d = new QemuDriver(QemuDriverConfig.defaults(runRoot), cgroups);
        drivers.add(d);
        return d;
    }

    @AfterEach
    void cleanUp() {
        threads.shutdownNow();
        for (QemuDriver d : drivers) {
            if (name != null) {
                try {
                    d.destroy(name);
                } catch (RuntimeException e) {
                    System.err.println("cleanup of " + name + " failed: " + e);
                }
            }
            d.close();
        }
        killLeftovers();
    }

    @AfterAll
    static void removeTmp() throws Exception {
        killLeftovers();
        if (tmp != null) {
            try (Stream<Path> paths = Files.walk(tmp)) {
                for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
        for (String host : List.of("a", "b")) {
            for (String controller : List.of("cpu", "memory", "")) {
                Path parent = CgroupDetector.DEFAULT_ROOT.resolve(controller).resolve("hvfabric-it-mig-" + host);
                if (Files.isDirectory(parent)) {
                    try {
                        Files.delete(parent);
                    } catch (Exception e) {
                        System.err.println("cannot remove " + parent + ": " + e);
                    }
                }
            }
        }
    }

    private static void killLeftovers() {
        if (tmp == null) {
            return;
        }
        ProcessHandle.allProcesses()
                .filter(ph -> ph.info().arguments().map(a -> String.join(" ", a).contains(tmp.toString())).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * 32 MiB rewritten as fast as the guest can. Not a paced rate: under QEMU 7.2's TCG a guest that alternates
     * writing with short sleeps (hvf.dirty_rate) often arrives with corrupted memory even though QEMU reports the
     * migration completed (reproduced with plain QEMU, no agent, no TLS; see bench/RESULTS.md). KVM hosts track dirty
     * pages in the kernel and are not affected.
     */
    private static final String DIRTY_WORKLOAD = "hvf.dirty=32";

    private VsiAssignment startSource(String vsi) throws Exception {
        return startSource(vsi, DIRTY_WORKLOAD);
    }

    private VsiAssignment startSource(String vsi, String kernelArgs) throws Exception {
        name = vsi;
        VsiAssignment assignment = VsiAssignment.newBuilder()
                .setSpec(VsiSpec.newBuilder().setName(vsi).setVcpus(1).setMemoryMib(MEMORY_MIB)
                        .setKernelArgs(kernelArgs))
                .setDesired("RUNNING")
                .setImage(image)
                .build();
        driverA.start(new LaunchSpecs(new ImageFiles(imageDir),
                Accelerator.TCG, VmLaunchSpec.DEFAULT_CPU_MODEL, VmLaunchSpec.DEFAULT_MACHINE_TYPE)
                .forAssignment(assignment));
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> ticks(driverA.consoleLog(vsi)).size() >= 2);
        if (!kernelArgs.isEmpty()) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                    Files.readString(driverA.consoleLog(vsi)).contains("hvf-dirty allocated=32MiB"));
        }
        return assignment;
    }

    /** Runs the target role on its own thread; events land in the returned queue. */
    private CompletableFuture<Void> receive(VsiAssignment assignment, MigrationObjective objective, String migrationId,
                                            LinkedBlockingQueue<TargetEvent> events, CancelSignal cancel) {
        return receive(assignment, objective, migrationId, events, cancel, false);
    }

    /** @param tunnel carry the stream through the agents' tunnel rather than QEMU's own TLS channel */
    private CompletableFuture<Void> receive(VsiAssignment assignment, MigrationObjective objective, String migrationId,
                                            LinkedBlockingQueue<TargetEvent> events, CancelSignal cancel,
                                            boolean tunnel) {
        ReceiveMigrationRequest request = ReceiveMigrationRequest.newBuilder()
                .setMigrationId(migrationId).setTerm(1).setAssignment(assignment.toByteString())
                .setTls(true).setSourceHost(HOST_IP).setSourceHostId("host-1").setObjective(objective)
                .setMemoryMib(MEMORY_MIB).setTunnel(tunnel)
                .build();
        return CompletableFuture.runAsync(() -> target.receive(request, events::add, cancel), threads);
    }

    private SendMigrationRequest sendRequest(String migrationId, String uri, MigrationObjective objective) {
        return SendMigrationRequest.newBuilder()
                .setMigrationId(migrationId).setTerm(1).setName(name).setUri(uri).setObjective(objective)
                .setTls(true).setTargetHost(HOST_IP).setMemoryMib(MEMORY_MIB)
                .build();
    }

    /**
     * An idle guest, over QEMU's own TLS channel and through the agents' tunnel. (Only the idle guest in CI: a guest
     * busy dirtying memory is sometimes corrupted by QEMU 7.2's TCG migration, reproduced with bare QEMU;
     * bench/RESULTS.md, which would make this test fail at random for QEMU's reasons.)
     */
    @ParameterizedTest(name = "tunnel {0}")
    @ValueSource(booleans = {false, true})
    void guestMovesOverTlsAndKeepsCountingOnTheTarget(boolean tunnel) throws Exception {
        String workload = "";
        VsiAssignment assignment = startSource(tunnel ? "mig-tunnel" : "mig-idle", workload);
        MigrationObjective objective = MigrationObjective.getDefaultInstance();
        LinkedBlockingQueue<TargetEvent> events = new LinkedBlockingQueue<>();
        CompletableFuture<Void> targetDone = receive(assignment, objective, "m-ok", events, new CancelSignal(), tunnel);

        TargetEvent ready = events.poll(60, TimeUnit.SECONDS);
        assertThat(ready).isNotNull();
        assertThat(ready.getKind()).isEqualTo(TargetEvent.Kind.READY);
        assertThat(ready.getUri()).startsWith((tunnel ? "tunnel:" : "tcp:") + HOST_IP + ":");
        assertThat(driverB.status(name)).isEqualTo(VmStatus.INCOMING);
        if (tunnel) {
            // QEMU holds no key at all on either side: the agents' tunnel encrypts.
            assertThat(tlsDirsOf(driverB)).isEmpty();
        }

        List<MigrationProgress> samples = new CopyOnWriteArrayList<>();
        source.send(sendRequest("m-ok", ready.getUri(), objective), samples::add, new CancelSignal());

        MigrationProgress last = samples.get(samples.size() - 1);
        System.out.printf("QemuMigrationIT: TLS migration of a %d MiB guest [" + (tunnel ? "tunnel" : "QEMU TLS") + "]: %s, total %d ms, downtime %d ms, "
                        + "%d bytes in %d rounds, rung %s (%s), %d samples%n", MEMORY_MIB, last.getStatus(),
                last.getElapsedMs(), last.getDowntimeMs(), last.getTransferredBytes(), last.getRound(), last.getRung(),
                last.getReason(), samples.size());
        assertThat(last.getStatus()).as("last sample: %s", last).isEqualTo("completed");
        assertThat(last.getTransferredBytes()).isPositive();
        assertThat(last.getTotalBytes()).isGreaterThanOrEqualTo(MEMORY_MIB << 20);
        // QEMU's own figures, not zeros read in the instant between "completed" and their computation.
        assertThat(last.getElapsedMs()).as("total-time").isPositive();
        assertThat(last.getRung()).isNotEmpty();
        assertThat(samples.subList(0, samples.size() - 1)).allSatisfy(s -> assertThat(s.getStatus())
                .isIn("setup", "active", "device", "postcopy-active"));

        TargetEvent completed = events.poll(30, TimeUnit.SECONDS);
        assertThat(completed).isNotNull();
        assertThat(completed.getKind()).as("target event: %s", completed).isEqualTo(TargetEvent.Kind.COMPLETED);
        targetDone.get(10, TimeUnit.SECONDS);

        assertThat(driverA.status(name)).isEqualTo(VmStatus.MIGRATED);
        VmStatus arrived = driverB.status(name);
        assertThat(arrived).isIn(VmStatus.PAUSED, VmStatus.RUNNING); // RUNNING only if post-copy moved it early
        List<long[]> sourceTicks = ticks(driverA.consoleLog(name));
        long[] lastSourceTick = sourceTicks.get(sourceTicks.size() - 1);
        assertThat(target.isTargetCopy("m-ok", name)).isTrue();
        assertThat(target.isTargetCopy("another", name)).isFalse();

        Instant resumedAt = Instant.now();
        assertThat(target.resume("m-ok", name)).isEqualTo("running");
        assertThat(target.resume("m-ok", name)).as("resume is idempotent").isEqualTo("running");
        if (guestAgent) {
            awaitGuestAnswerOnTarget(resumedAt);
        }

        Path targetConsole = driverB.consoleLog(name);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ticks(targetConsole).size() >= 3);
        List<long[]> targetTicks = ticks(targetConsole);
        System.out.printf("QemuMigrationIT: last source tick %d (uptime %.2f), first target tick %d (uptime %.2f)%n",
                lastSourceTick[0], lastSourceTick[1] / 100.0, targetTicks.get(0)[0], targetTicks.get(0)[1] / 100.0);
        assertThat(Files.readString(targetConsole, StandardCharsets.ISO_8859_1))
                .as("target console: the migrated guest must go on, not oops or reboot").doesNotContain("hvf-boot")
                .doesNotContain("BUG:").doesNotContain("Oops");
        // The same guest: its counter goes on (a tick printed during the switchover may have landed in either log)
        // and its uptime never goes back, so it was not rebooted.
        assertThat(targetTicks.get(0)[0]).isBetween(lastSourceTick[0], lastSourceTick[0] + 2);
        assertThat(targetTicks.get(0)[1]).isGreaterThanOrEqualTo(lastSourceTick[1]);
        for (int i = 1; i < targetTicks.size(); i++) {
            assertThat(targetTicks.get(i)[0]).isEqualTo(targetTicks.get(i - 1)[0] + 1);
            assertThat(targetTicks.get(i)[1]).isGreaterThan(targetTicks.get(i - 1)[1]);
        }
        assertThat(driverA.status(name)).as("source stays in postmigrate").isEqualTo(VmStatus.MIGRATED);
        assertThat(target.isTargetCopy("m-ok", name)).as("resumed: no longer an abortable copy").isFalse();
        assertThat(tlsDirsOf(driverB)).as("key copies removed").isEmpty();
        assertThat(tlsDirsOf(driverA)).as("key copies removed").isEmpty();
    }

    /**
     * The target expects host-1: a stream from QEMUs holding host-3's migration certificate, host-1's own agent
     * (gRPC) certificate or an operator's is refused by QEMU's tls-authz before anything is loaded, and the target
     * keeps waiting; then host-1's real migration arrives and the guest goes on there.
     */
    @Test
    void theTargetTakesTheStreamOfTheExpectedSourceOnly() throws Exception {
        VsiAssignment assignment = startSource("mig-authz", "");
        MigrationObjective objective = MigrationObjective.getDefaultInstance();
        LinkedBlockingQueue<TargetEvent> events = new LinkedBlockingQueue<>();
        CompletableFuture<Void> targetDone = receive(assignment, objective, "m-authz", events, new CancelSignal());
        TargetEvent ready = events.poll(60, TimeUnit.SECONDS);
        assertThat(ready).isNotNull();
        assertThat(ready.getKind()).isEqualTo(TargetEvent.Kind.READY);

        // What QEMU can read on the target: the migration pair, never the agent's gRPC key.
        Path creds = tlsDirsOf(driverB).get(0);
        assertThat(creds.resolve("server-key.pem")).hasContent(GnutlsPrivateKey.pemFor(tls2.key(), tls2.cert()));
        assertThat(Files.readString(creds.resolve("server-key.pem")))
                .doesNotContain(Files.readString(tlsDir.resolve("host-2.key")).trim());
        Path targetLog = driverB.listRunning().get(0).runDir().resolve("qemu.log");

        Map<String, TlsFiles> intruders = new LinkedHashMap<>();
        intruders.put("O=hvfabric,OU=migration,CN=host-3", MigrationTls.besideAgent(TlsFiles.inDir(tlsDir, "host-3"), "host-3"));
        intruders.put("O=hvfabric,OU=agent,CN=host-1", agent1);
        intruders.put("O=hvfabric,OU=operator,CN=alice", TlsFiles.inDir(tlsDir, "alice"));
        int n = 0;
        for (Map.Entry<String, TlsFiles> intruder : intruders.entrySet()) {
            try (Intruder rogue = new Intruder(tmp.resolve("intruder-" + n++))) {
                String status = rogue.migrate(ready.getUri(), intruder.getValue());
                System.out.printf("QemuMigrationIT: intruder %s ended %s%n", intruder.getKey(), status);
            }
            String denial = "TLS x509 authz check for " + intruder.getKey() + " is denied";
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Files.readString(targetLog).contains(denial));
            assertThat(driverB.status(name)).as("after %s", intruder.getKey()).isEqualTo(VmStatus.INCOMING);
            assertThat(events).as("after %s", intruder.getKey()).isEmpty();
        }

        List<MigrationProgress> samples = new CopyOnWriteArrayList<>();
        source.send(sendRequest("m-authz", ready.getUri(), objective), samples::add, new CancelSignal());
        assertThat(samples.get(samples.size() - 1).getStatus()).isEqualTo("completed");
        TargetEvent completed = events.poll(30, TimeUnit.SECONDS);
        assertThat(completed).isNotNull();
        assertThat(completed.getKind()).as("target event: %s", completed).isEqualTo(TargetEvent.Kind.COMPLETED);
        targetDone.get(10, TimeUnit.SECONDS);
        assertThat(Files.readString(targetLog)).doesNotContain("CN=host-1,OU=migration").doesNotContain(
                "OU=migration,CN=host-1 is denied");
        List<long[]> sourceTicks = ticks(driverA.consoleLog(name));
        long lastSourceTick = sourceTicks.get(sourceTicks.size() - 1)[0];

        assertThat(target.resume("m-authz", name)).isEqualTo("running");
        Path targetConsole = driverB.consoleLog(name);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ticks(targetConsole).size() >= 2);
        List<long[]> targetTicks = ticks(targetConsole);
        assertThat(targetTicks.get(0)[0]).as("the same guest goes on").isBetween(lastSourceTick, lastSourceTick + 2);
        assertThat(targetTicks.get(1)[0]).isEqualTo(targetTicks.get(0)[0] + 1);
        assertThat(Files.readString(targetConsole, StandardCharsets.ISO_8859_1)).doesNotContain("hvf-boot");
        assertThat(tlsDirsOf(driverB)).as("key copies removed").isEmpty();
    }

    /** A bare QEMU (no guest) with the migration stream's TLS client end, as whoever holds a certificate can run. */
    private static final class Intruder implements AutoCloseable {
        private final Path dir;
        private final Process process;
        private final QmpClient qmp = new QmpClient("intruder");

        Intruder(Path dir) throws Exception {
            this.dir = Files.createDirectories(dir);
            Path socket = dir.resolve("qmp.sock");
            process = new ProcessBuilder("qemu-system-x86_64", "-nodefaults", "-display", "none", "-S",
                    "-machine", VmLaunchSpec.DEFAULT_MACHINE_TYPE, "-accel", "tcg", "-m", String.valueOf(MEMORY_MIB),
                    "-qmp", "unix:" + socket + ",server=on,wait=off")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("intruder QEMU exited: " + Files.readString(dir.resolve("qemu.log")));
                }
                return Files.exists(socket);
            });
            qmp.connect(socket, Duration.ofSeconds(30));
        }

        /** Streams this machine to {@code uri} with {@code files} as its certificate; QEMU's last status. */
        String migrate(String uri, TlsFiles files) throws Exception {
            QemuTlsCredentials creds = QemuTlsCredentials.prepare(dir, "tls-out", QemuTlsCredentials.Endpoint.CLIENT,
                    files);
            qmp.execute("object-add", creds.objectAddArguments());
            qmp.execute("migrate-set-parameters", Map.of("tls-creds", "tls-out", "tls-hostname", HOST_IP));
            qmp.execute("migrate", Map.of("uri", uri));
            String[] status = {"none"};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                status[0] = qmp.execute("query-migrate").path("status").asText("none");
                return List.of("completed", "failed", "cancelled").contains(status[0]);
            });
            return status[0];
        }

        @Override
        public void close() throws Exception {
            qmp.close();
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The TLS directories the target or source role prepared in the guest's run directory. */
    private List<Path> tlsDirsOf(QemuDriver driver) throws Exception {
        List<Path> dirs = new ArrayList<>();
        Path runDir = driver.listRunning().get(0).runDir();
        try (Stream<Path> entries = Files.list(runDir)) {
            entries.filter(p -> p.getFileName().toString().startsWith("hvf-tls-")).forEach(dirs::add);
        }
        return dirs;
    }

    /** What the scheduler does right after ResumeTarget: AwaitGuest on the target, before its reconciler looked. */
    private void awaitGuestAnswerOnTarget(Instant resumedAt) {
        try (GuestMonitors guests = new GuestMonitors(driverB::guestAgentSocket, GuestPolicy.DEFAULT, Clock.systemUTC(),
                (vsi, state) -> { })) {
            guests.start();
            guests.incoming(name, true); // as the target's reconciler holds an arriving guest
            AwaitGuestResponse answer = new GuestCalls(guests, driverB, "host-2").await(AwaitGuestRequest.newBuilder()
                    .setName(name).setAfter(Timestamp.newBuilder().setSeconds(resumedAt.getEpochSecond())
                            .setNanos(resumedAt.getNano()))
                    .setTimeoutMs(20_000).build());
            assertThat(answer.getAnswered()).as("the migrated guest's agent answers on the target").isTrue();
            Instant answeredAt = Instant.ofEpochSecond(answer.getAnsweredAt().getSeconds(), answer.getAnsweredAt().getNanos());
            System.out.printf("QemuMigrationIT: guest agent answered on the target %d ms after resume%n",
                    Duration.between(resumedAt, answeredAt).toMillis());
            assertThat(answer.getGuest().getState()).isEqualTo(GuestStatus.State.UP);
        }
    }

    @Test
    void cancellingMidwayKeepsTheSourceRunningAndDestroysTheTarget() throws Exception {
        VsiAssignment assignment = startSource("mig-cancel");
        MigrationObjective slow = MigrationObjective.newBuilder().setMaxBandwidthMibps(8).build();
        LinkedBlockingQueue<TargetEvent> events = new LinkedBlockingQueue<>();
        CancelSignal targetCancel = new CancelSignal();
        CompletableFuture<Void> targetDone = receive(assignment, slow, "m-cancel", events, targetCancel);
        TargetEvent ready = events.poll(60, TimeUnit.SECONDS);
        assertThat(ready).isNotNull();
        assertThat(ready.getKind()).isEqualTo(TargetEvent.Kind.READY);

        List<MigrationProgress> samples = new CopyOnWriteArrayList<>();
        CancelSignal sourceCancel = new CancelSignal();
        CompletableFuture<Void> sourceDone = CompletableFuture.runAsync(
                () -> source.send(sendRequest("m-cancel", ready.getUri(), slow), samples::add, sourceCancel), threads);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> samples.stream().anyMatch(s -> s.getStatus().equals("active") && s.getTransferredBytes() > 0));

        // What the scheduler's cancelled calls do: both sides at once.
        sourceCancel.cancel();
        targetCancel.cancel();
        sourceDone.get(60, TimeUnit.SECONDS);
        targetDone.get(60, TimeUnit.SECONDS);

        MigrationProgress last = samples.get(samples.size() - 1);
        System.out.printf("QemuMigrationIT: cancelled after %d ms with %d of %d bytes sent%n", last.getElapsedMs(),
                last.getTransferredBytes(), last.getTotalBytes());
        assertThat(last.getStatus()).isEqualTo("cancelled");
        assertThat(last.getRemainingBytes()).as("cut off midway").isPositive();
        assertThat(last.getReason()).contains("cancelled");
        assertThat(events).noneMatch(e -> e.getKind() == TargetEvent.Kind.COMPLETED);
        assertThat(driverB.status(name)).isEqualTo(VmStatus.STOPPED);
        assertThat(driverB.listRunning()).isEmpty();

        assertThat(driverA.status(name)).isEqualTo(VmStatus.RUNNING);
        int before = ticks(driverA.consoleLog(name)).size();
        await().atMost(Duration.ofSeconds(30)).until(() -> ticks(driverA.consoleLog(name)).size() >= before + 2);
        assertThat(source.cancel("m-cancel", name)).as("cancel is idempotent").isEqualTo("running");
        assertThat(source.abort("m-cancel", name)).as("abort leaves a running source running").isEqualTo("running");
    }

    /**
     * The target's QEMU dies after the memory arrived, before it ran the guest (the switchover's failure case): the
     * target answers ResumeTarget with NOT_FOUND, on which the scheduler rolls back, and the source's paused copy runs
     * on from exactly where it stopped.
     */
    @Test
    void aSwitchoverWhoseTargetDiedResumesTheSourcesPausedCopy() throws Exception {
        VsiAssignment assignment = startSource("mig-rollback", "");
        MigrationObjective objective = MigrationObjective.getDefaultInstance();
        LinkedBlockingQueue<TargetEvent> events = new LinkedBlockingQueue<>();
        CompletableFuture<Void> targetDone = receive(assignment, objective, "m-rb", events, new CancelSignal());
        TargetEvent ready = events.poll(60, TimeUnit.SECONDS);
        assertThat(ready).isNotNull();
        assertThat(ready.getKind()).isEqualTo(TargetEvent.Kind.READY);
        List<MigrationProgress> samples = new CopyOnWriteArrayList<>();
        source.send(sendRequest("m-rb", ready.getUri(), objective), samples::add, new CancelSignal());
        assertThat(samples.get(samples.size() - 1).getStatus()).isEqualTo("completed");
        TargetEvent loaded = events.poll(30, TimeUnit.SECONDS);
        assertThat(loaded).isNotNull();
        assertThat(loaded.getKind()).as("target event: %s", loaded).isEqualTo(TargetEvent.Kind.COMPLETED);
        targetDone.get(10, TimeUnit.SECONDS);
        assertThat(driverA.status(name)).isEqualTo(VmStatus.MIGRATED);
        List<long[]> sourceTicks = ticks(driverA.consoleLog(name));
        long[] lastSourceTick = sourceTicks.get(sourceTicks.size() - 1);

        long targetPid = driverB.listRunning().get(0).pid();
        ProcessHandle.of(targetPid).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> driverB.listRunning().isEmpty());

        assertThatThrownBy(() -> target.resume("m-rb", name)).isInstanceOfSatisfying(FabricException.class,
                e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(source.abort("m-rb", name)).as("the rollback resumes the paused source").isEqualTo("running");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ticks(driverA.consoleLog(name)).size() >= sourceTicks.size() + 2);
        List<long[]> after = ticks(driverA.consoleLog(name)).subList(sourceTicks.size(), sourceTicks.size() + 2);
        assertThat(after.get(0)[0]).as("the same guest counts on").isBetween(lastSourceTick[0] + 1,
                lastSourceTick[0] + 2);
        assertThat(after.get(1)[0]).isEqualTo(after.get(0)[0] + 1);
        assertThat(after.get(0)[1]).as("uptime goes on: no reboot").isGreaterThan(lastSourceTick[1]);
        assertThat(driverB.listRunning()).isEmpty();
    }

    /**
     * kill -9 of the target agent during pre-copy. The source's QEMU keeps streaming into the target's -incoming
     * QEMU, which needs no agent for that, so only its watchdog removes it: within a second of the agent's death
     * (5 s allowed). The stream breaks with it and the source's guest runs on.
     */
    @Test
    void anIncomingQemuDiesWithItsKilledAgent() throws Exception {
        VsiAssignment assignment = startSource("mig-orphan");
        MigrationObjective slow = MigrationObjective.newBuilder().setMaxBandwidthMibps(8).build();
        Path request = tmp.resolve("receive-m-orphan.bin");
        Files.write(request, ReceiveMigrationRequest.newBuilder()
                .setMigrationId("m-orphan").setTerm(1).setAssignment(assignment.toByteString()).setTls(true)
                .setSourceHost(HOST_IP).setSourceHostId("host-1").setObjective(slow).setMemoryMib(MEMORY_MIB)
                .build().toByteArray());
        Process agent = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), TargetAgentProcess.class.getName(),
                tmp.resolve("run-b").toString(), imageDir.toString(), "hvfabric-it-mig-b", request.toString(),
                tlsDir.toString(), "host-2")
                .redirectError(tmp.resolve("target-agent.log").toFile())
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(),
                    StandardCharsets.UTF_8));
            String ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, threads).get(90, TimeUnit.SECONDS);
            assertThat(ready).as(Files.readString(tmp.resolve("target-agent.log"))).startsWith("READY tcp:");
            List<VmHandle> incoming = driverB.listRunning();
            assertThat(incoming).hasSize(1);

            List<MigrationProgress> samples = new CopyOnWriteArrayList<>();
            SendMigrationRequest send = sendRequest("m-orphan", ready.substring("READY ".length()), slow);
            CompletableFuture<Void> sourceDone = CompletableFuture.runAsync(
                    () -> source.send(send, samples::add, new CancelSignal()), threads);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (sourceDone.isDone()) {
                    sourceDone.get(); // the source role refused: say why
                }
                return samples.stream().anyMatch(s -> s.getStatus().equals("active") && s.getTransferredBytes() > 0);
            });

            agent.destroyForcibly(); // SIGKILL
            long killed = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> driverB.listRunning().isEmpty());
            System.out.printf("QemuMigrationIT: incoming QEMU gone %d ms after its agent was killed%n",
                    (System.nanoTime() - killed) / 1_000_000);
            assertThat(Files.readString(incoming.get(0).runDir().resolve("qemu.log")))
                    .contains("hvfabric watchdog: the node agent is gone; killing incoming QEMU pid "
                            + incoming.get(0).pid());

            sourceDone.get(60, TimeUnit.SECONDS);
            assertThat(samples.get(samples.size() - 1).getStatus()).as("the stream broke with the target")
                    .isIn("failed", "cancelled");
            assertThat(source.abort("m-orphan", name)).isEqualTo("running");
            int before = ticks(driverA.consoleLog(name)).size();
            await().atMost(Duration.ofSeconds(30)).until(() -> ticks(driverA.consoleLog(name)).size() >= before + 2);
        } finally {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** (tick number, uptime in centiseconds) per console line. */
    private static List<long[]> ticks(Path console) throws Exception {
        List<long[]> out = new ArrayList<>();
        if (!Files.exists(console)) {
            return out;
        }
        Matcher m = TICK.matcher(Files.readString(console, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            out.add(new long[] {Long.parseLong(m.group(1)), Math.round(Double.parseDouble(m.group(2)) * 100)});
        }
        return out;
    }
}
