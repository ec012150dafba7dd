package io.hvfabric.agent.driver.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hvfabric.agent.cgroup.CgroupDetector;
import io.hvfabric.agent.cgroup.CgroupLimits;
import io.hvfabric.agent.cgroup.CgroupManager;
import io.hvfabric.agent.cgroup.CgroupVersion;
import io.hvfabric.agent.driver.VirtDriverException;
import io.hvfabric.agent.driver.VmHandle;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.VmStatus;
import io.hvfabric.agent.testkit.DefaultImage;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
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

/**
 * Real QEMU (TCG) with the default image from images/build-image: boot, console ticks, cgroup
 * confinement, one uid per VSI and what it keeps out, stop, adoption by a fresh driver instance, destroy.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class QemuDriverIT {
    private static final String CGROUP_PARENT = "hvfabric-it";
    private static final Pattern TICK = Pattern.compile("hvf-tick (\\d+) uptime=([0-9.]+)");
    private static final long MEMORY_MIB = 192;
    private static final String PYTHON = "/usr/bin/python3";
    /** Connects to a unix socket and closes it; exits 1 with Python's reason when refused. */
    private static final String CONNECT =
            "import socket, sys; s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()";

    private static Path image;
    private static String imageCmdline;
    private static Path runRoot;
    private static CgroupManager cgroups;

    private final List<QemuDriver> drivers = new ArrayList<>();
    private final List<String> started = new ArrayList<>();
    private QemuDriverConfig config;

    @BeforeAll
    static void buildImageAndRunRoot() throws Exception {
        image = DefaultImage.build();
        imageCmdline = Files.readString(image.resolve("cmdline")).trim();
        runRoot = Files.createTempDirectory("hvf-run-it");
        // QEMU drops to an unprivileged user and must still reach its run dir.
        Files.setPosixFilePermissions(runRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
        cgroups = CgroupDetector.managerFor(CgroupDetector.DEFAULT_ROOT, CGROUP_PARENT);
    }

    @BeforeEach
    void setUp() {
        config = QemuDriverConfig.defaults(runRoot);
    }

    private QemuDriver newDriver() {
        QemuDriver d = new QemuDriver(config, cgroups);
        drivers.add(d);
        return d;
    }

    private VmLaunchSpec spec(String name, String vsiArgs) {
        started.add(name);
        return VmLaunchSpec.builder()
                .name(name)
                .vcpus(1)
                .memoryMib(MEMORY_MIB)
                .kernel(image.resolve("vmlinuz"))
                .initrd(image.resolve("initrd.gz"))
                .cmdline(VmLaunchSpec.kernelCmdline(imageCmdline, vsiArgs, name))
                .build();
    }

    @AfterEach
    void cleanUp() throws Exception {
        QemuDriver cleaner = new QemuDriver(config, cgroups);
        for (String name : started) {
            try {
                cleaner.destroy(name);
            } catch (RuntimeException e) {
                System.err.println("cleanup of " + name + " failed: " + e);
            }
        }
        cleaner.close();
        drivers.forEach(QemuDriver::close);
        killLeftovers();
    }

    @AfterAll
    static void removeRoots() throws Exception {
        killLeftovers();
        try (Stream<Path> paths = Files.walk(runRoot)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
        for (String controller : List.of("cpu", "memory")) {
            Path parent = CgroupDetector.DEFAULT_ROOT.resolve(controller).resolve(CGROUP_PARENT);
            if (Files.isDirectory(parent)) {
                Files.delete(parent);
            }
        }
        Path v2parent = CgroupDetector.DEFAULT_ROOT.resolve(CGROUP_PARENT);
        if (cgroups.version() == CgroupVersion.V2 && Files.isDirectory(v2parent)) {
            Files.delete(v2parent);
        }
    }

    /** Safety net: SIGKILL any live process still pointing into this test's run root. */
    private static void killLeftovers() {
        for (long pid : qemusUnder(runRoot)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static List<Long> qemusUnder(Path root) {
        List<Long> pids = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(ph -> {
            if (ProcFs.isRunning(ph.pid()) && ProcFs.cmdline(ph.pid()).stream().anyMatch(a -> a.contains(root.toString()))) {
                pids.add(ph.pid());
            }
        });
        return pids;
    }

    @Test
    void startBootsTicksInItsCgroupAsItsOwnUidAndStops() throws Exception {
        QemuDriver driver = newDriver();
        String name = "it-boot";

        long t0 = System.nanoTime();
        VmHandle vm = driver.start(spec(name, "hvf.dirty=16 hvf.dirty_rate=8"));
        long startedMs = (System.nanoTime() - t0) / 1_000_000;
        Path console = driver.consoleLog(name);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                .until(() -> ticks(console).size() >= 1);
        long firstTickMs = (System.nanoTime() - t0) / 1_000_000;
        await().atMost(Duration.ofSeconds(30)).until(() -> ticks(console).size() >= 3);
        System.out.printf("QemuDriverIT: start() returned after %d ms, first tick %d ms after start()%n", startedMs, firstTickMs);

        String log = Files.readString(console);
        assertThat(log).contains("hvf-boot " + name).contains("hvf-dirty allocated=16MiB rate=8MiB/s");
        List<long[]> ticks = ticks(console);
        for (int i = 1; i < ticks.size(); i++) {
            assertThat(ticks.get(i)[0]).isEqualTo(ticks.get(i - 1)[0] + 1);
            assertThat(ticks.get(i)[1]).isGreaterThan(ticks.get(i - 1)[1]);
        }
        assertThat(ticks.get(0)[0]).isEqualTo(1);

        assertThat(ProcFs.isRunning(vm.pid())).isTrue();
        assertThat(driver.status(name)).isEqualTo(VmStatus.RUNNING);
        assertThat(driver.listRunning()).contains(vm);
        if (cgroups.version() != CgroupVersion.NONE) {
            assertThat(cgroups.processes(name)).contains(vm.pid());
            assertThat(cgroups.readLimits(name)).contains(CgroupLimits.forVm(1, MEMORY_MIB, config.memoryOverheadBytes()));
        }
        reportMemory(name, vm.pid());
        if (ProcFs.isRoot()) {
            int uid = uidOf(vm);
            assertThat(config.vsiIds().contains(uid)).as("uid %d in %s", uid, config.vsiIds()).isTrue();
            assertThat(status(vm.pid(), "Gid:")).startsWith(uid + "\t" + uid);
            assertThat(status(vm.pid(), "Groups:")).isEqualTo(Integer.toString(uid));
            // Root's directory, entered by the VSI's group alone; QEMU's files in it are its own, 0600.
            assertThat((Integer) Files.getAttribute(vm.runDir(), "unix:uid")).isZero();
            assertThat((Integer) Files.getAttribute(vm.runDir(), "unix:gid")).isEqualTo(uid);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(vm.runDir()))).isEqualTo("rwx--x---");
            RunDir dir = new RunDir(vm.runDir());
            for (Path p : List.of(dir.qmpSocket(), dir.qgaSocket(), dir.consoleLog(), dir.pidFile())) {
                assertThat((Integer) Files.getAttribute(p, "unix:uid")).as(p.toString()).isEqualTo(uid);
                assertThat((Integer) Files.getAttribute(p, "unix:gid")).as(p.toString()).isEqualTo(uid);
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString())
                        .isEqualTo("rw-------");
            }
            assertThat(claimsOf(vm.runDir())).containsExactly(uid);
        }
        assertThatThrownBy(() -> driver.start(spec(name, "")))
                .isInstanceOfSatisfying(VirtDriverException.class,
                        e -> assertThat(e.kind()).isEqualTo(VirtDriverException.Kind.ALREADY_RUNNING));

        // The image's acpid turns the ACPI power button into a poweroff; QEMU exits with the guest.
        driver.stop(name, Duration.ofSeconds(60));

        assertThat(Files.readString(console)).contains("hvf-poweroff");
        assertThat(ProcFs.isRunning(vm.pid())).isFalse();
        assertThat(driver.status(name)).isEqualTo(VmStatus.STOPPED);
        assertThat(driver.listRunning()).isEmpty();
        assertThat(console).isRegularFile();
        assertThat(cgroups.readLimits(name)).isEmpty();
        driver.stop(name, Duration.ofSeconds(2)); // idempotent
    }

    @Test
    void stopWithoutGraceQuitsQemuAndAStoppedVsiCanStartAgain() throws Exception {
        QemuDriver driver = newDriver();
        String name = "it-quit";
        VmHandle firstRun = driver.start(spec(name, ""));
        OptionalInt firstUid = ProcFs.isRoot() ? OptionalInt.of(uidOf(firstRun)) : OptionalInt.empty();

        // No grace: powerdown is sent but QEMU is told to quit before the guest can react.
        driver.stop(name, Duration.ZERO);
        assertThat(ProcFs.isRunning(firstRun.pid())).isFalse();
        assertThat(driver.status(name)).isEqualTo(VmStatus.STOPPED);

        VmHandle secondRun = driver.start(spec(name, ""));
        assertThat(secondRun.pid()).isNotEqualTo(firstRun.pid());
        assertThat(driver.status(name)).isEqualTo(VmStatus.RUNNING);
        if (firstUid.isPresent()) {
            assertThat(uidOf(secondRun)).as("a stopped VSI keeps its run dir, so its uid").isEqualTo(firstUid.getAsInt());
        }
    }

    @Test
    void aFreshDriverAdoptsTheRunningQemuAndDestroysIt() throws Exception {
        String name = "it-adopt";
        QemuDriver first = newDriver();
        VmHandle vm = first.start(spec(name, ""));
        Path console = first.consoleLog(name);
        await().atMost(Duration.ofSeconds(120)).until(() -> ticks(console).size() >= 1);

        OptionalInt uid = ProcFs.isRoot() ? OptionalInt.of(uidOf(vm)) : OptionalInt.empty();
        first.close(); // the agent exits; QEMU keeps running
        QemuDriver second = newDriver();

        assertThat(second.listRunning()).containsExactly(vm);
        Optional<VmHandle> adopted = second.adopt(name);
        assertThat(adopted).contains(vm);
        assertThat(second.status(name)).isEqualTo(VmStatus.RUNNING);
        assertThat(second.qmp(name).execute("query-name").path("name").asText()).isEqualTo(name);
        if (cgroups.version() != CgroupVersion.NONE) {
            assertThat(cgroups.processes(name)).contains(vm.pid());
        }
        int ticksAtAdoption = ticks(console).size();
        await().atMost(Duration.ofSeconds(30)).until(() -> ticks(console).size() >= ticksAtAdoption + 2);

        if (uid.isPresent()) {
            assertThat(ProcFs.uid(vm.pid())).contains(uid.getAsInt());
            assertThat(claimsOf(vm.runDir())).containsExactly(uid.getAsInt());
        }

        second.destroy(name);

        assertThat(ProcFs.isRunning(vm.pid())).isFalse();
        assertThat(vm.runDir()).doesNotExist();
        assertThat(claimsOf(vm.runDir())).as("the uid went back to the pool with the run dir").isEmpty();
        assertThat(qemusUnder(runRoot)).isEmpty();
        assertThat(cgroups.readLimits(name)).isEmpty();
        assertThat(second.adopt(name)).isEmpty();
        assertThat(second.status(name)).isEqualTo(VmStatus.STOPPED);
        second.destroy(name); // idempotent
    }

    @Test
    void aQemuThatCannotStartReportsWhyAndLeavesNothingRunning() {
        QemuDriver driver = newDriver();
        String name = "it-badmachine";
        VmLaunchSpec bad = VmLaunchSpec.builder()
                .name(name)
                .memoryMib(64)
                .kernel(image.resolve("vmlinuz"))
                .initrd(image.resolve("initrd.gz"))
                .cmdline(imageCmdline)
                .machineType("pc-q35-99.9")
                .build();
        started.add(name);

        assertThatThrownBy(() -> driver.start(bad))
                .isInstanceOfSatisfying(VirtDriverException.class,
                        e -> assertThat(e.kind()).isEqualTo(VirtDriverException.Kind.LAUNCH_FAILED))
                .hasMessageContaining("unsupported machine type");
        assertThat(qemusUnder(runRoot)).isEmpty();
        assertThat(driver.listRunning()).isEmpty();
    }

    /**
     * Checked from outside, as another VSI's QEMU would try: setpriv runs each probe as one VSI's uid and gid with no
     * other groups. Every refusal is paired with the same probe on the VSI's own files, which must succeed, so a
     * probe that cannot work at all fails the test instead of passing it.
     */
    @Test
    void twoVsisRunAsDifferentUidsAndNeitherReachesTheOther() throws Exception {
        assumeTrue(ProcFs.isRoot(), "per-VSI uids need an agent running as root");
        QemuDriver driver = newDriver();
        VmHandle a = driver.start(spec("it-iso-a", ""));
        VmHandle b = driver.start(spec("it-iso-b", ""));
        int uidA = uidOf(a);
        int uidB = uidOf(b);
        assertThat(uidA).isNotEqualTo(uidB);
        assertThat(List.of(uidA, uidB)).allMatch(u -> u != 0 && config.vsiIds().contains(u));

        for (VmHandle[] pair : new VmHandle[][] {{a, b}, {b, a}}) {
            VmHandle self = pair[0];
            VmHandle other = pair[1];
            int uid = uidOf(self);
            RunDir own = new RunDir(self.runDir());
            RunDir theirs = new RunDir(other.runDir());

            assertRefused(uid, "Permission denied", "cat", theirs.consoleLog().toString());
            assertAllowed(uid, "cat", own.consoleLog().toString());
            assertRefused(uid, "Permission denied", PYTHON, "-I", "-c", CONNECT, theirs.qmpSocket().toString());
            assertAllowed(uid, PYTHON, "-I", "-c", CONNECT, own.qmpSocket().toString());
            assertRefused(uid, "Permission denied", PYTHON, "-I", "-c", CONNECT, theirs.qgaSocket().toString());
            assertAllowed(uid, PYTHON, "-I", "-c", CONNECT, own.qgaSocket().toString());
            assertRefused(uid, "Operation not permitted", "kill", "-0", Long.toString(other.pid()));
            assertAllowed(uid, "kill", "-0", Long.toString(self.pid()));
            // Not even in its own run dir can QEMU create (so plant) anything the agent opens as root later.
            assertRefused(uid, "Permission denied", "touch", self.runDir().resolve("planted").toString());
        }

        // The agent (root) still reaches everything of both.
        for (VmHandle vm : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(driver.consoleLog(vm.name()))
                    .contains("hvf-boot " + vm.name()));
            RunDir dir = new RunDir(vm.runDir());
            for (Path socket : List.of(dir.qmpSocket(), dir.qgaSocket())) {
                try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                    assertThat(ch.isConnected()).isTrue();
                }
            }
            assertThat(driver.status(vm.name())).isEqualTo(VmStatus.RUNNING);
        }
    }

    private static void assertRefused(int uid, String reason, String... command) throws Exception {
        Result r = runAs(uid, command);
        assertThat(r.exitCode()).as("%s as uid %d: %s", String.join(" ", command), uid, r.output()).isNotZero();
        assertThat(r.output()).as(String.join(" ", command)).contains(reason);
    }

    private static void assertAllowed(int uid, String... command) throws Exception {
        Result r = runAs(uid, command);
        assertThat(r.exitCode()).as("%s as uid %d: %s", String.join(" ", command), uid, r.output()).isZero();
    }

    private record Result(int exitCode, String output) {}

    private static Result runAs(int uid, String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", argv)).isTrue();
        return new Result(p.exitValue(), out);
    }

    /** The uid a VSI's QEMU runs as. */
    private static int uidOf(VmHandle vm) {
        return ProcFs.uid(vm.pid()).orElseThrow();
    }

    private static String status(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith(field)).findFirst().orElseThrow().substring(field.length()).trim();
    }

    /** The host-wide claims that name this run dir. */
    private List<Integer> claimsOf(Path runDir) throws IOException {
        List<Integer> ids = new ArrayList<>();
        if (!Files.isDirectory(config.vsiIdClaims())) {
            return ids;
        }
        try (Stream<Path> claims = Files.list(config.vsiIdClaims())) {
            for (Path c : (Iterable<Path>) claims::iterator) {
                if (Files.isSymbolicLink(c) && Files.readSymbolicLink(c).equals(runDir)) {
                    ids.add(Integer.parseInt(c.getFileName().toString()));
                }
            }
        }
        return ids;
    }

    /** [N, uptime in ms] of each tick line so far. */
    private static List<long[]> ticks(Path console) throws IOException {
        List<long[]> out = new ArrayList<>();
        if (!Files.exists(console)) {
            return out;
        }
        Matcher m = TICK.matcher(Files.readString(console, StandardCharsets.UTF_8));
        while (m.find()) {
            out.add(new long[] {Long.parseLong(m.group(1)), Math.round(Double.parseDouble(m.group(2)) * 1000)});
        }
        return out;
    }

    private static void reportMemory(String name, long pid) throws IOException {
        String rss = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).findFirst().orElse("VmRSS: ?");
        Path usage = CgroupDetector.DEFAULT_ROOT.resolve("memory").resolve(CGROUP_PARENT).resolve(name).resolve("memory.max_usage_in_bytes");
        String cg = Files.exists(usage) ? (Long.parseLong(Files.readString(usage).trim()) >> 20) + " MiB" : "n/a";
        System.out.printf("QemuDriverIT: QEMU %s (guest RAM %d MiB), cgroup peak usage %s%n", rss.replaceAll("\\s+", " "), MEMORY_MIB, cg);
    }
}
