package io.hvfabric.agent.host;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** Counts the CPUs a process or thread may run on: the OS's grant, not the machine's CPU count. */
public final class CpuAffinity {
    private static final int EINVAL = 22;
    /** Start with room for 1024 CPUs and grow while the kernel says the mask is too small. */
    private static final int INITIAL_MASK_BYTES = 128;
    private static final int MAX_MASK_BYTES = 1 << 16;

    private CpuAffinity() {}

    /** CPUs in the affinity mask of {@code pid} (0 = the calling thread). */
    public static int allowedCpus(int pid) throws SyscallException {
        LinuxLibc libc = NativeLibc.libc();
        for (int bytes = INITIAL_MASK_BYTES; ; bytes *= 2) {
            Pointer mask = Memory.allocateDirect(NativeLibc.runtime(), bytes, true);
            if (libc.sched_getaffinity(pid, bytes, mask) == 0) {
                return bitCount(mask, bytes);
            }
            int errno = NativeLibc.errno();
            if (errno != EINVAL || bytes >= MAX_MASK_BYTES) {
                throw new SyscallException("sched_getaffinity(" + pid + ")", errno);
            }
        }
    }

    /** CPUs the current process may run on. */
    public static int allowedCpusOfProcess() throws SyscallException {
        return allowedCpus((int) ProcessHandle.current().pid());
    }

    private static int bitCount(Pointer mask, int bytes) {
        int count = 0;
        for (int offset = 0; offset < bytes; offset += Long.BYTES) {
            count += Long.bitCount(mask.getLong(offset));
        }
        return count;
    }
}
