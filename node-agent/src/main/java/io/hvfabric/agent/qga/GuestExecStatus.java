package io.hvfabric.agent.qga;

import java.util.OptionalInt;

/**
 * What {@code guest-exec-status} says about a process started by {@code guest-exec}. Output is only present once the
 * process exited (and only if it was started capturing).
 *
 * @param exitCode set when the process exited normally
 * @param signal the signal that ended it, 0 if none
 */
public record GuestExecStatus(boolean exited, OptionalInt exitCode, int signal, byte[] out, byte[] err,
                              boolean outTruncated, boolean errTruncated) {
    public static final GuestExecStatus RUNNING = new GuestExecStatus(false, OptionalInt.empty(), 0, new byte[0],
            new byte[0], false, false);
}
