package io.hvfabric.agent.host;

import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** The process-wide libc binding, loaded on first use, and errno helpers. */
public final class NativeLibc {
    private NativeLibc() {}

    private static final class Holder {
        static final LinuxLibc LIBC = LibraryLoader.create(LinuxLibc.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    public static LinuxLibc libc() {
        return Holder.LIBC;
    }

    public static Runtime runtime() {
        return Holder.RUNTIME;
    }

    /** errno of the last {@code @SaveError} call made by this thread. */
    public static int errno() {
        return Holder.RUNTIME.getLastError();
    }

    /** "ENOTTY (Inappropriate ioctl for device)" for an error number, or "errno N" when unknown. */
    public static String describeErrno(int errno) {
        Errno known = Errno.valueOf(errno);
        if (known == null || known == Errno.__UNKNOWN_CONSTANT__) {
            return "errno " + errno;
        }
        return known.name() + " (" + known.description() + ")";
    }
}
