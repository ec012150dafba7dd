package io.hvfabric.agent.host;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;

/**
 * The few libc calls host discovery and the KVM probe need, bound through jnr-ffi.
 *
 * <p>Struct and pointer-sized arguments follow the x86_64 LP64 layout: a Java {@code long} carries a C
 * {@code unsigned long} or an address. {@code ioctl} and {@code open} are variadic in C; calling them with a
 * fixed argument list is sound on the x86_64 System V ABI because glibc's wrappers read the extra argument
 * straight from its register. Every call saves {@code errno}; read it with {@link NativeLibc#errno()}.
 */
public interface LinuxLibc {
    int O_RDWR = 0x2;
    int O_CLOEXEC = 0x80000;

    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int MAP_SHARED = 0x1;
    int MAP_PRIVATE = 0x2;
    int MAP_ANONYMOUS = 0x20;
    int MAP_NORESERVE = 0x4000;
    /** What {@link #mmap} returns on failure ({@code (void *) -1}). */
    long MAP_FAILED = -1L;

    int SIG_BLOCK = 0;
    int SIGUSR1 = 10;
    /** glibc's {@code sigset_t} is 1024 bits. */
    int GLIBC_SIGSET_BYTES = 128;

    /** Length of {@code struct utsname} on Linux: six fields of 65 characters. */
    int UTSNAME_BYTES = 390;
    int UTSNAME_FIELD_BYTES = 65;
    int UTSNAME_RELEASE_OFFSET = 2 * UTSNAME_FIELD_BYTES;

    @SaveError
    int sysinfo(@Out SysinfoStruct info);

    @SaveError
    int statvfs(CharSequence path, @Out StatvfsStruct buf);

    @SaveError
    int uname(Pointer utsname);

    /** glibc wrapper: 0 on success, the mask written to {@code mask}; {@code pid} 0 means the calling thread. */
    @SaveError
    int sched_getaffinity(int pid, @size_t long cpusetsize, Pointer mask);

    @SaveError
    int sched_setaffinity(int pid, @size_t long cpusetsize, Pointer mask);

    @SaveError
    int open(CharSequence path, int flags);

    @SaveError
    int close(int fd);

    @SaveError
    int ioctl(int fd, long request, long arg);

    @SaveError
    int ioctl(int fd, long request, Pointer arg);

    /**
     * Returns the mapping's address, or {@link #MAP_FAILED}. Pass null for {@code addr}. The address parameter is a
     * {@code Pointer} on purpose: jnr-ffi 2.2.17 garbles six-argument calls whose parameters are all primitives
     * (mmap then fails with EINVAL).
     */
    @SaveError
    long mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, long offset);

    @SaveError
    int munmap(long addr, @size_t long length);

    long pthread_self();

    /** Returns an error number (not -1 and errno) like every pthread call. */
    int pthread_kill(long thread, int sig);

    @SaveError
    int pthread_sigmask(int how, Pointer set, Pointer oldset);

    @SaveError
    int sigpending(Pointer set);

    /** Dequeues a pending signal from {@code set} without running a handler; -1/EAGAIN when none by the timeout. */
    @SaveError
    int sigtimedwait(Pointer set, Pointer info, Pointer timeout);

    /** Size of {@code struct timespec} on x86_64. */
    int TIMESPEC_BYTES = 16;
}
