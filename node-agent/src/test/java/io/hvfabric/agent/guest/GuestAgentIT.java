package io.hvfabric.agent.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.hvfabric.agent.cgroup.CgroupDetector;
import io.hvfabric.agent.cgroup.CgroupManager;
import io.hvfabric.agent.driver.VmHandle;
import io.hvfabric.agent.driver.VmLaunchSpec;
import io.hvfabric.agent.driver.qemu.QemuDriver;
import io.hvfabric.agent.driver.qemu.QemuDriverConfig;
import io.hvfabric.agent.testkit.DefaultImage;
import io.hvfabric.proto.v1.AwaitGuestRequest;
import io.hvfabric.proto.v1.AwaitGuestResponse;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import io.hvfabric.proto.v1.GuestInterface;
import io.hvfabric.proto.v1.GuestStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real TCG guest of the default image, whose hvf-qga answers on the virtio-serial port the QEMU driver gives every
 * VSI: it comes UP, runs commands (exit code, output, stdin, a timeout that kills), turns UNRESPONSIVE while its QEMU
 * is SIGSTOPped and UP again after SIGCONT, and is found again by a fresh driver (an agent restart).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GuestAgentIT {
    private static final String CGROUP_PARENT = "hvfabric-it-qga";
    private static final String NAME = "it-qga";

    private static Path image;
    private static Path runRoot;
    private static CgroupManager cgroups;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private QemuDriverConfig config;
    private Long stoppedPid;

    @BeforeAll
    static void imageAndRunRoot() throws Exception {
        image = DefaultImage.build();
        assumeTrue(DefaultImage.features(image).contains("guest-agent"), "the default image runs no guest agent");
        runRoot = Files.createTempDirectory("hvf-qga-it");
        Files.setPosixFilePermissions(runRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
        cgroups = CgroupDetector.managerFor(CgroupDetector.DEFAULT_ROOT, CGROUP_PARENT);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (stoppedPid != null) {
            signal("CONT", stoppedPid); // a failed assertion must not leave a stopped QEMU behind
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        QemuDriver cleaner = new QemuDriver(config, cgroups);
        cleaner.destroy(NAME);
        cleaner.close();
    }

    @AfterAll
    static void removeRoots() throws Exception {
        if (runRoot == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(runRoot)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
        for (Path parent : List.of(CgroupDetector.DEFAULT_ROOT.resolve("cpu").resolve(CGROUP_PARENT),
                CgroupDetector.DEFAULT_ROOT.resolve("memory").resolve(CGROUP_PARENT),
                CgroupDetector.DEFAULT_ROOT.resolve(CGROUP_PARENT))) {
            if (Files.isDirectory(parent)) {
                Files.delete(parent);
            }
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    private GuestMonitors monitors(QemuDriver driver) {
        GuestMonitors m = closeLater(new GuestMonitors(driver::guestAgentSocket, GuestPolicy.DEFAULT, Clock.systemUTC(),
                (vsi, state) -> System.out.printf("GuestAgentIT: %s %s at %s%n", vsi, state.orElse(null), Instant.now())));
        m.start();
        return m;
    }

    private static GuestState awaitState(GuestMonitors monitors, GuestState state, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(50))
                .until(() -> monitors.status(NAME).map(GuestStatus::getState).orElse(null) == state.toProto());
        return state;
    }

    private static ExecVsiRequest.Builder exec(String... argv) {
        return ExecVsiRequest.newBuilder().setName(NAME).addAllCommand(List.of(argv));
    }

    @Test
    void aRealGuestComesUpRunsCommandsGoesUnresponsiveWhenStoppedAndIsFoundAgainAfterARestart() throws Exception {
        config = QemuDriverConfig.defaults(runRoot);
        QemuDriver driver = closeLater(new QemuDriver(config, cgroups));
        GuestMonitors monitors = monitors(driver);
        GuestCalls calls = new GuestCalls(monitors, driver, "it-host");

        long t0 = System.nanoTime();
        VmHandle vm = driver.start(VmLaunchSpec.builder().name(NAME).vcpus(1).memoryMib(192)
                .kernel(image.resolve("vmlinuz")).initrd(image.resolve("initrd.gz"))
                .cmdline(VmLaunchSpec.kernelCmdline(Files.readString(image.resolve("cmdline")).trim(), "", NAME))
                .build());
        assertThat(driver.guestAgentSocket(NAME)).contains(vm.runDir().resolve("qga.sock"));
        monitors.started(NAME, true);
        assertThat(monitors.status(NAME).orElseThrow().getState()).isEqualTo(GuestStatus.State.BOOTING);

        awaitState(monitors, GuestState.UP, Duration.ofSeconds(120));
        System.out.printf("GuestAgentIT: guest agent UP %d ms after start()%n", (System.nanoTime() - t0) / 1_000_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> monitors.status(NAME).orElseThrow().getInterfacesCount() > 0);
        GuestStatus up = monitors.status(NAME).orElseThrow();
        assertThat(up.getAgentVersion()).isEqualTo("hvf-qga 1");
        assertThat(up.getInterfacesList()).extracting(GuestInterface::getName).contains("lo");

        ExecVsiResponse shell = calls.exec(exec("/bin/sh", "-c", "echo hello; echo oops >&2; exit 3").build(), () -> false);
        assertThat(shell.getExited()).isTrue();
        assertThat(shell.getExitCode()).isEqualTo(3);
        assertThat(shell.getStdout().toStringUtf8()).isEqualTo("hello\n");
        assertThat(shell.getStderr().toStringUtf8()).isEqualTo("oops\n");
        assertThat(shell.getTimedOut()).isFalse();
        assertThat(shell.getHost()).isEqualTo("it-host");
        ExecVsiResponse cat = calls.exec(exec("/bin/cat").setStdin(ByteString.copyFromUtf8("through stdin\n")).build(),
                () -> false);
        assertThat(cat.getStdout().toStringUtf8()).isEqualTo("through stdin\n");

        ExecVsiResponse slow = calls.exec(exec("/bin/sleep", "20").setTimeoutMs(2000).build(), () -> false);
        System.out.printf("GuestAgentIT: sleep 20 with a 2 s timeout returned after %d ms (signal %d)%n",
                slow.getElapsedMs(), slow.getSignal());
        assertThat(slow.getTimedOut()).isTrue();
        assertThat(slow.getElapsedMs()).isBetween(2000L, 10_000L);
        assertThat(calls.exec(exec("/bin/true").build(), () -> false).getExitCode()).isZero(); // the agent still serves

        Instant beforeAwait = Instant.now();
        AwaitGuestResponse answered = calls.await(AwaitGuestRequest.newBuilder().setName(NAME)
                .setAfter(GuestMonitor.timestamp(beforeAwait)).setTimeoutMs(5000).build());
        assertThat(answered.getAnswered()).isTrue();
        assertThat(GuestMonitor.instant(answered.getAnsweredAt())).isAfterOrEqualTo(beforeAwait);

        signal("STOP", vm.pid());
        stoppedPid = vm.pid();
        long stoppedAt = System.nanoTime();
        awaitState(monitors, GuestState.UNRESPONSIVE, Duration.ofSeconds(10));
        long detectMs = (System.nanoTime() - stoppedAt) / 1_000_000;
        System.out.printf("GuestAgentIT: UNRESPONSIVE %d ms after SIGSTOP (%s)%n", detectMs,
                monitors.status(NAME).orElseThrow().getMessage());
        assertThat(detectMs).isLessThan(6000);
        assertThat(monitors.status(NAME).orElseThrow().getMessage()).startsWith("missed 3 pings since ");

        signal("CONT", vm.pid());
        stoppedPid = null;
        long contAt = System.nanoTime();
        awaitState(monitors, GuestState.UP, Duration.ofSeconds(10));
        System.out.printf("GuestAgentIT: UP again %d ms after SIGCONT%n", (System.nanoTime() - contAt) / 1_000_000);

        // Agent restart: the QEMU keeps running; a fresh driver and monitor find its guest agent socket again.
        monitors.close();
        driver.close();
        QemuDriver second = closeLater(new QemuDriver(config, cgroups));
        assertThat(second.adopt(NAME)).isPresent();
        assertThat(second.guestAgentSocket(NAME)).contains(vm.runDir().resolve("qga.sock"));
        GuestMonitors afterRestart = monitors(second);
        afterRestart.running(NAME, true);
        awaitState(afterRestart, GuestState.UP, Duration.ofSeconds(10));
        assertThat(new GuestCalls(afterRestart, second, "it-host").exec(exec("/bin/echo", "again").build(), () -> false)
                .getStdout().toStringUtf8()).isEqualTo("again\n");
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -" + signal).isZero();
    }
}
