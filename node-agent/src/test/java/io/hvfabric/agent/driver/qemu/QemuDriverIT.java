package io.hvfabric.agent.driver.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
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
 * confinement, unprivileged user, stop, adoption by a fresh driver instance, destroy.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class QemuDriverIT {
    private static final String CGROUP_PARENT = "hvfabric-it";
    private static final Pattern TICK = Pattern.compile("hvf-tick (\\d+) uptime=([0-9.]+)");
    private static final long MEMORY_MIB = 192;

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
    void startBootsTicksInItsCgroupAsTheQemuUserAndStops() throws Exception {
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
            int qemuUid = (Integer) Files.getAttribute(vm.runDir(), "unix:uid");
            assertThat(qemuUid).isNotZero();
            assertThat(ProcFs.uid(vm.pid())).contains(qemuUid);
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

        // No grace: powerdown is sent but QEMU is told to quit before the guest can react.
        driver.stop(name, Duration.ZERO);
        assertThat(ProcFs.isRunning(firstRun.pid())).isFalse();
        assertThat(driver.status(name)).isEqualTo(VmStatus.STOPPED);

        VmHandle secondRun = driver.start(spec(name, ""));
        assertThat(secondRun.pid()).isNotEqualTo(firstRun.pid());
        assertThat(driver.status(name)).isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void aFreshDriverAdoptsTheRunningQemuAndDestroysIt() throws Exception {
        String name = "it-adopt";
        QemuDriver first = newDriver();
        VmHandle vm = first.start(spec(name, ""));
        Path console = first.consoleLog(name);
        await().atMost(Duration.ofSeconds(120)).until(() -> ticks(console).size() >= 1);

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

        second.destroy(name);

        assertThat(ProcFs.isRunning(vm.pid())).isFalse();
        assertThat(vm.runDir()).doesNotExist();
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
