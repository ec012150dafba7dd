package io.hvfabric.agent.driver.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog of an incoming QEMU, with a stand-in process whose command line names the run dir's QMP socket as
 * QEMU's does. Losing the lifeline without a release is what the kernel does when the agent dies; QemuMigrationIT kills
 * a real target agent with SIGKILL.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IncomingWatchdogTest {
    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killStandIns() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void aLifelineLostWithoutReleaseKillsTheQemuAtOnce() throws Exception {
        RunDir run = new RunDir(dir);
        Process qemu = standIn(run.qmpSocket());
        IncomingWatchdog watchdog = IncomingWatchdog.arm(qemu.pid(), run.qmpSocket(), run.qemuLog());

        long severed = System.nanoTime();
        watchdog.sever();

        assertThat(qemu.waitFor(5, TimeUnit.SECONDS)).as("the incoming QEMU dies with its agent").isTrue();
        System.out.printf("IncomingWatchdogTest: stand-in killed %d ms after the lifeline closed%n",
                (System.nanoTime() - severed) / 1_000_000);
        assertThat(watchdog.process().waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(run.qemuLog())).contains("the node agent is gone; killing incoming QEMU pid "
                + qemu.pid());
    }

    @Test
    void aReleasedWatchdogLeavesTheGuestToOutliveTheAgent() throws Exception {
        RunDir run = new RunDir(dir);
        Process qemu = standIn(run.qmpSocket());
        IncomingWatchdog watchdog = IncomingWatchdog.arm(qemu.pid(), run.qmpSocket(), run.qemuLog());

        watchdog.release();
        watchdog.release(); // idempotent

        assertThat(watchdog.process().waitFor(5, TimeUnit.SECONDS)).as("the watchdog is done").isTrue();
        assertThat(qemu.isAlive()).isTrue();
        assertThat(run.qemuLog()).isEmptyFile();
    }

    @Test
    void aPidThatNoLongerRunsThisQemuIsSpared() throws Exception {
        RunDir run = new RunDir(dir);
        Process other = standIn(dir.resolve("elsewhere").resolve("qmp.sock"));
        IncomingWatchdog watchdog = IncomingWatchdog.arm(other.pid(), run.qmpSocket(), run.qemuLog());

        watchdog.sever();

        assertThat(watchdog.process().waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(other.isAlive()).as("a reused pid is not the QEMU").isTrue();
    }

    @Test
    void theWatchdogLeadsItsOwnSessionSoTheAgentsProcessGroupSignalsMissIt() throws Exception {
        RunDir run = new RunDir(dir);
        Process qemu = standIn(run.qmpSocket());
        IncomingWatchdog watchdog = IncomingWatchdog.arm(qemu.pid(), run.qmpSocket(), run.qemuLog());
        try {
            long pid = watchdog.process().pid();
            await().atMost(Duration.ofSeconds(5)).until(() -> sessionOf(pid) == pid);
        } finally {
            watchdog.release();
        }
    }

    /** A long-lived process whose command line names {@code qmpSocket}, as QEMU's {@code -qmp unix:...} does. */
    private Process standIn(Path qmpSocket) throws Exception {
        Files.createDirectories(qmpSocket.getParent());
        Files.writeString(qmpSocket, "");
        Process p = new ProcessBuilder("tail", "-f", qmpSocket.toString()).start();
        started.add(p);
        return p;
    }

    /** Field 6 of /proc/PID/stat, after the parenthesised command. */
    private static long sessionOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[3]);
    }
}
