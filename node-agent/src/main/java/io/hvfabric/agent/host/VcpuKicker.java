package io.hvfabric.agent.host;

import static io.hvfabric.agent.host.KvmAbi.KERNEL_SIGSET_BYTES;
import static io.hvfabric.agent.host.KvmAbi.KVM_RUN;
import static io.hvfabric.agent.host.KvmAbi.KVM_SET_SIGNAL_MASK;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Lets another thread force a vCPU thread out of a KVM_RUN that does not return (a guest spinning forever).
 *
 * <p>The vCPU thread blocks SIGUSR1 for itself and tells KVM (KVM_SET_SIGNAL_MASK) to unblock it only while the
 * guest runs. A SIGUSR1 sent to that thread then makes KVM_RUN return EINTR, and because the thread has the signal
 * blocked again by then, no handler runs and the JVM never sees it. The thread must {@link #disarm()} before it ends:
 * HotSpot restores a thread's original signal mask when it exits, which would deliver a still-pending SIGUSR1 and
 * kill the process. Used only on a thread created for the probe.
 */
final class VcpuKicker {
    private final Object lock = new Object();
    private boolean armed;
    private boolean inRun;
    private boolean kicked;
    private long thread;

    /** Blocks SIGUSR1 on the calling thread; returns the previous mask (glibc sigset_t), or null on failure. */
    static Pointer blockKickSignalOnThisThread() {
        Pointer block = Memory.allocateDirect(NativeLibc.runtime(), LinuxLibc.GLIBC_SIGSET_BYTES, true);
        block.putLong(0, kickSignalBit());
        Pointer previous = Memory.allocateDirect(NativeLibc.runtime(), LinuxLibc.GLIBC_SIGSET_BYTES, true);
        // pthread_sigmask returns an error number itself rather than setting errno.
        return NativeLibc.libc().pthread_sigmask(LinuxLibc.SIG_BLOCK, block, previous) == 0 ? previous : null;
    }

    /**
     * On the armed thread, before it ends: no kick can be sent any more, and a kick already sent is dequeued
     * without being delivered.
     */
    void disarm() {
        synchronized (lock) {
            armed = false;
        }
        drainKickSignalOnThisThread();
    }

    /** Dequeues a pending SIGUSR1 of the calling thread, if any. Returns true if one was pending. */
    static boolean drainKickSignalOnThisThread() {
        Pointer set = Memory.allocateDirect(NativeLibc.runtime(), LinuxLibc.GLIBC_SIGSET_BYTES, true);
        set.putLong(0, kickSignalBit());
        Pointer zeroTimeout = Memory.allocateDirect(NativeLibc.runtime(), LinuxLibc.TIMESPEC_BYTES, true);
        // Standard signals do not queue: at most one SIGUSR1 is pending.
        return NativeLibc.libc().sigtimedwait(set, null, zeroTimeout) == LinuxLibc.SIGUSR1;
    }

    static long kickSignalBit() {
        return 1L << (LinuxLibc.SIGUSR1 - 1);
    }

    /** On the vCPU thread, before KVM_RUN. Returns false when kicking is not possible; the probe still runs. */
    boolean arm(int vcpuFd) {
        Pointer previous = blockKickSignalOnThisThread();
        if (previous == null) {
            return false;
        }
        Pointer kvmMask = Memory.allocateDirect(NativeLibc.runtime(), Integer.BYTES + KERNEL_SIGSET_BYTES, true);
        kvmMask.putInt(0, KERNEL_SIGSET_BYTES);
        kvmMask.putLong(Integer.BYTES, previous.getLong(0) & ~kickSignalBit());
        if (NativeLibc.libc().ioctl(vcpuFd, KVM_SET_SIGNAL_MASK, kvmMask) != 0) {
            return false;
        }
        synchronized (lock) {
            thread = NativeLibc.libc().pthread_self();
            armed = true;
        }
        return true;
    }

    /** KVM_RUN on the calling (armed) thread; -1 with errno EINTR when kicked. */
    int run(int vcpuFd) {
        synchronized (lock) {
            if (kicked) {
                return -1;
            }
            inRun = true;
        }
        try {
            return NativeLibc.libc().ioctl(vcpuFd, KVM_RUN, 0L);
        } finally {
            // The thread cannot finish (and its pthread_t go stale) until kick() has released the lock.
            synchronized (lock) {
                inRun = false;
            }
        }
    }

    /** From another thread: interrupts a KVM_RUN in progress. True if the signal was sent. */
    boolean kick() {
        synchronized (lock) {
            kicked = true;
            if (!armed || !inRun) {
                return false;
            }
            return NativeLibc.libc().pthread_kill(thread, LinuxLibc.SIGUSR1) == 0;
        }
    }

    boolean wasKicked() {
        synchronized (lock) {
            return kicked;
        }
    }
}
