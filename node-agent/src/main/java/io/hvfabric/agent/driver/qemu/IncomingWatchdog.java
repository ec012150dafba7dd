package io.hvfabric.agent.driver.qemu;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties a QEMU started for an incoming migration to this agent's life until its guest first runs. Until then the
 * migration's source still has the guest, so an incoming copy whose agent died only holds memory that nobody needs
 * and, with no agent, nobody would remove. A watchdog shell in its own session (so signals to the agent's process
 * group spare it) holds the read end of a pipe whose only write end is this JVM's (children get no other descriptor
 * of it); when the agent dies, however it dies, the kernel closes that end, the watchdog reads end-of-file and
 * SIGKILLs the QEMU at once, if that pid still runs this VSI's QEMU (its command line names the run dir's QMP
 * socket). {@link #release} (a newline) lets the watchdog exit without acting: once the guest runs here, or once the
 * driver removed that QEMU itself.
 *
 * <p>Not PR_SET_PDEATHSIG: it fires when the forking thread ends rather than the agent, and QEMU's {@code -runas}
 * (a credential change) clears it.
 */
final class IncomingWatchdog {
    private static final Logger log = LoggerFactory.getLogger(IncomingWatchdog.class);
    /** $1: the QEMU's pid, $2: its QMP socket. A line is a release; end-of-file means the agent is gone. */
    private static final String SCRIPT = """
            if read -r line; then exit 0; fi
            if grep -aqF -- "$2" "/proc/$1/cmdline" 2>/dev/null; then
              echo "hvfabric watchdog: the node agent is gone; killing incoming QEMU pid $1, whose guest never ran here"
              kill -KILL "$1"
            fi
            """;

    private final long pid;
    private final Process watchdog;
    private final OutputStream lifeline;

    private IncomingWatchdog(long pid, Process watchdog) {
        this.pid = pid;
        this.watchdog = watchdog;
        this.lifeline = watchdog.getOutputStream();
    }

    /**
     * @param log where the watchdog says what it did (QEMU's own log in the run dir)
     * @throws IOException if the watchdog cannot be started
     */
    static IncomingWatchdog arm(long pid, Path qmpSocket, Path log) throws IOException {
        Process p = new ProcessBuilder(List.of("setsid", "sh", "-c", SCRIPT, "hvf-incoming-watchdog",
                Long.toString(pid), qmpSocket.toString()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new IncomingWatchdog(pid, p);
    }

    long pid() {
        return pid;
    }

    /** The QEMU may outlive this agent now; the watchdog exits without acting. Idempotent. */
    void release() {
        try {
            lifeline.write('\n');
            lifeline.close();
        } catch (IOException e) {
            log.debug("watchdog of QEMU pid {} already gone: {}", pid, e.toString());
        }
    }

    /** What the kernel does to the lifeline when the agent dies: closed without a release. For tests. */
    void sever() throws IOException {
        lifeline.close();
    }

    /** The watchdog process itself (tests wait for it). */
    Process process() {
        return watchdog;
    }
}
