package io.hvfabric.agent.guest;

import com.google.protobuf.ByteString;
import io.hvfabric.agent.qga.GuestExecStatus;
import io.hvfabric.agent.qga.QgaClient;
import io.hvfabric.agent.qga.QgaErrorException;
import io.hvfabric.agent.qga.QgaException;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.ExecVsiResponse;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one command in a guest through its agent: {@code guest-exec}, then {@code guest-exec-status} every
 * {@value #POLL_MS} ms until it exited or its time is up. A command still running then is reported timed out and
 * killed in the guest (best effort, with another guest-exec of {@code /bin/kill -9}); both processes are collected so
 * they do not hold the agent's process slots.
 */
final class GuestExec {
    private static final Logger LOG = LoggerFactory.getLogger(GuestExec.class);
    static final long POLL_MS = 100;
    /** Each agent call; a busy TCG guest can take a while to schedule its agent. */
    private static final Duration CALL = Duration.ofSeconds(5);
    private static final Duration KILL = Duration.ofSeconds(2);
    static final int MAX_OUTPUT_BYTES = 1 << 20;

    private final String vsi;
    private final QgaClient qga;
    private final BooleanSupplier cancelled;

    /** @param cancelled true once the caller went away: the command is killed as on a timeout */
    GuestExec(String vsi, QgaClient qga, BooleanSupplier cancelled) {
        this.vsi = vsi;
        this.qga = qga;
        this.cancelled = cancelled;
    }

    /** The response without {@code host}. */
    ExecVsiResponse.Builder run(List<String> argv, byte[] stdin, Duration timeout) {
        long t0 = System.nanoTime();
        long pid;
        try {
            pid = qga.exec(argv, stdin, true, CALL);
        } catch (QgaErrorException e) {
            throw FabricException.failedPrecondition("guest agent of VSI %s could not start %s: %s", vsi, argv.get(0),
                    e.description());
        } catch (QgaException e) {
            throw FabricException.unavailable(e, "guest agent of VSI %s did not start %s: %s", vsi, argv.get(0),
                    e.getMessage());
        }
        long deadline = t0 + timeout.toNanos();
        Capture out = new Capture();
        Capture err = new Capture();
        while (true) {
            GuestExecStatus status = status(pid);
            out.add(status.out(), status.outTruncated()); // qemu-ga hands output over once exited; others may not
            err.add(status.err(), status.errTruncated());
            if (status.exited()) {
                return response(status, out, err, false, t0);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || cancelled.getAsBoolean()) {
                LOG.info("VSI {}: guest command {} (pid {}) still running after {} ms; killing it", vsi, argv.get(0),
                        pid, timeout.toMillis());
                return killed(pid, out, err, t0);
            }
            if (!sleep(Math.min(POLL_MS, left / 1_000_000 + 1))) {
                return killed(pid, out, err, t0);
            }
        }
    }

    /** Timed out: killed, and if the kill was confirmed its status (signal 9) and the output up to then. */
    private ExecVsiResponse.Builder killed(long pid, Capture out, Capture err, long t0) {
        GuestExecStatus last = killQuietly(pid);
        out.add(last.out(), last.outTruncated());
        err.add(last.err(), last.errTruncated());
        return response(last, out, err, true, t0);
    }

    private GuestExecStatus status(long pid) {
        try {
            return qga.execStatus(pid, CALL);
        } catch (QgaErrorException e) {
            throw FabricException.internal("guest agent of VSI %s lost track of process %d: %s", vsi, pid, e.description());
        } catch (QgaException e) {
            throw FabricException.unavailable(e, "guest agent of VSI %s stopped answering about process %d: %s", vsi,
                    pid, e.getMessage());
        }
    }

    /** Returns the killed process's final status (with its output so far) if it could be collected. */
    private GuestExecStatus killQuietly(long pid) {
        try {
            long killer = qga.exec(List.of("/bin/kill", "-9", Long.toString(pid)), new byte[0], false, KILL);
            long until = System.nanoTime() + KILL.toNanos();
            boolean killerDone = false;
            while (System.nanoTime() < until) {
                killerDone = killerDone || qga.execStatus(killer, KILL).exited();
                GuestExecStatus victim = qga.execStatus(pid, KILL);
                if (victim.exited()) {
                    if (!killerDone) {
                        qga.execStatus(killer, KILL);
                    }
                    return victim;
                }
                if (!sleep(50)) {
                    break;
                }
            }
        } catch (QgaException e) {
            LOG.warn("VSI {}: could not kill guest process {}: {}", vsi, pid, e.getMessage());
        }
        return GuestExecStatus.RUNNING;
    }

    private static ExecVsiResponse.Builder response(GuestExecStatus s, Capture out, Capture err, boolean timedOut,
                                                    long t0) {
        return ExecVsiResponse.newBuilder()
                .setExited(s.exited())
                .setExitCode(s.exitCode().orElse(0))
                .setSignal(s.signal())
                .setStdout(out.bytes())
                .setStderr(err.bytes())
                .setStdoutTruncated(out.truncated)
                .setStderrTruncated(err.truncated)
                .setTimedOut(timedOut)
                .setElapsedMs((System.nanoTime() - t0) / 1_000_000);
    }

    private static boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One output stream, cut at {@value #MAX_OUTPUT_BYTES} bytes. */
    private static final class Capture {
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        private boolean truncated;

        void add(byte[] chunk, boolean cutByGuest) {
            int room = MAX_OUTPUT_BYTES - data.size();
            data.write(chunk, 0, Math.min(room, chunk.length));
            truncated |= cutByGuest || chunk.length > room;
        }

        ByteString bytes() {
            return ByteString.copyFrom(data.toByteArray());
        }
    }
}
