package io.hvfabric.agent.host;

/** A libc call or ioctl failed; carries the call's name and errno so callers can explain what happened. */
public final class SyscallException extends Exception {
    private final String call;
    private final int errno;

    public SyscallException(String call, int errno) {
        super(call + " failed: " + NativeLibc.describeErrno(errno));
        this.call = call;
        this.errno = errno;
    }

    /** Captures the calling thread's errno right after a failed call. */
    public static SyscallException last(String call) {
        return new SyscallException(call, NativeLibc.errno());
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
