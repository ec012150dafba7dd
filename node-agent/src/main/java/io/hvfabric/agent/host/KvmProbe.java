package io.hvfabric.agent.host;

import static io.hvfabric.agent.host.KvmAbi.*;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * The fast first gate of the accelerator decision: a VM with a few pages, a vCPU put straight into 64-bit mode, code
 * that writes 0x5A to port 0xE9 and halts. KVM is ruled out unless that KVM_EXIT_IO arrives. Passing proves little on
 * its own: a kvm_pvm host runs this guest to its exit and still cannot boot a standard kernel, so
 * {@link AcceleratorChooser} also boots one ({@link QemuBootCheck}) before choosing KVM.
 *
 * <p>The guest runs on its own thread. Setting up the VM (milliseconds on a real host) and the KVM_RUN itself each have
 * a timeout; a KVM_RUN that does not return in time counts as unusable and the vCPU is kicked out with a signal (see
 * {@link VcpuKicker}).
 */
public final class KvmProbe {
    public static final Path DEFAULT_DEVICE = Path.of("/dev/kvm");
    public static final Path PVM_MODULE = Path.of("/sys/module/kvm_pvm");
    public static final Duration DEFAULT_SETUP_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofSeconds(2);

    static final String PVM_NOTE = "host KVM is kvm_pvm (" + PVM_MODULE + " present), runs only PVM guests";
    private static final int EINTR = 4;
    private static final int MAX_EINTR_RETRIES = 3;
    private static final Duration CLEANUP_GRACE = Duration.ofMillis(200);

    private final Path device;
    private final Path pvmModule;
    private final Duration setupTimeout;
    private final Duration runTimeout;

    public KvmProbe() {
        this(DEFAULT_DEVICE, PVM_MODULE, DEFAULT_SETUP_TIMEOUT, DEFAULT_RUN_TIMEOUT);
    }

    public KvmProbe(Path device, Path pvmModule, Duration runTimeout) {
        this(device, pvmModule, DEFAULT_SETUP_TIMEOUT, runTimeout);
    }

    /**
     * @param device the KVM device node
     * @param pvmModule path whose presence marks a kvm_pvm host (named in the detail)
     * @param setupTimeout how long creating the VM, its memory and vCPU may take
     * @param runTimeout how long the guest may take from KVM_RUN to its first exit
     */
    public KvmProbe(Path device, Path pvmModule, Duration setupTimeout, Duration runTimeout) {
        if (device == null) {
            throw new IllegalArgumentException("device must not be null");
        }
        if (pvmModule == null) {
            throw new IllegalArgumentException("pvmModule must not be null");
        }
        requirePositive("setupTimeout", setupTimeout);
        requirePositive("runTimeout", runTimeout);
        this.device = device;
        this.pvmModule = pvmModule;
        this.setupTimeout = setupTimeout;
        this.runTimeout = runTimeout;
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    public KvmProbeResult probe() {
        if (!Files.exists(device)) {
            return new KvmProbeResult(false, 0, 0, false, "no " + device);
        }
        LinuxLibc libc = NativeLibc.libc();
        int fd = libc.open(device.toString(), LinuxLibc.O_RDWR | LinuxLibc.O_CLOEXEC);
        if (fd < 0) {
            return new KvmProbeResult(false, 0, 0, false, withPvmNote(SyscallException.last("open(" + device + ")")
                    .getMessage()));
        }
        int apiVersion;
        int maxVcpus;
        try {
            apiVersion = libc.ioctl(fd, KVM_GET_API_VERSION, 0L);
            if (apiVersion < 0) {
                return unusable(0, 0, SyscallException.last("KVM_GET_API_VERSION").getMessage());
            }
            if (apiVersion != EXPECTED_API_VERSION) {
                return unusable(apiVersion, 0, "KVM API version " + apiVersion + ", expected " + EXPECTED_API_VERSION);
            }
            maxVcpus = maxVcpus(libc, fd);
        } finally {
            libc.close(fd);
        }
        return runGuest(apiVersion, maxVcpus);
    }

    private static int maxVcpus(LinuxLibc libc, int kvmFd) {
        int max = libc.ioctl(kvmFd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
        if (max > 0) {
            return max;
        }
        int recommended = libc.ioctl(kvmFd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
        return recommended > 0 ? recommended : DEFAULT_MAX_VCPUS;
    }

    private KvmProbeResult runGuest(int apiVersion, int maxVcpus) {
        GuestRun run = new GuestRun(device);
        Thread thread = new Thread(run, "kvm-probe-vcpu");
        thread.setDaemon(true);
        thread.start();
        if (!GuestRun.await(run.runEntered, setupTimeout)) {
            run.kicker.kick(); // not in KVM_RUN yet: only stops it from entering
            return unusable(apiVersion, maxVcpus,
                    "VM setup did not finish within " + setupTimeout.toMillis() + " ms; the probe thread releases the VM when it returns");
        }
        if (!run.await(runTimeout)) {
            boolean kicked = run.kicker.kick();
            boolean cleanedUp = kicked && run.await(CLEANUP_GRACE);
            String what = "64-bit guest did not exit within " + runTimeout.toMillis() + " ms (KVM_RUN hung)"
                    + (cleanedUp ? "" : "; the vCPU thread could not be kicked and is left behind");
            return unusable(apiVersion, maxVcpus, what);
        }
        if (run.failure != null) {
            return unusable(apiVersion, maxVcpus, run.failure.getMessage());
        }
        if (run.unexpected != null) {
            return unusable(apiVersion, maxVcpus, "probe failed: " + run.unexpected);
        }
        KvmExit exit = run.exit;
        boolean pvm = Files.exists(pvmModule);
        return new KvmProbeResult(true, apiVersion, maxVcpus, exit.isExpectedOut(), exit.describe(pvm));
    }

    private KvmProbeResult unusable(int apiVersion, int maxVcpus, String what) {
        return new KvmProbeResult(true, apiVersion, maxVcpus, false, withPvmNote(what));
    }

    private String withPvmNote(String what) {
        return Files.exists(pvmModule) ? what + ": " + PVM_NOTE : what;
    }

    /** One VM's life on its own thread: every fd and mapping it made is released there, even after a timeout. */
    private static final class GuestRun implements Runnable {
        private final Path device;
        private final CountDownLatch done = new CountDownLatch(1);
        /** Released when the vCPU is about to enter KVM_RUN, or when the run ended before that. */
        final CountDownLatch runEntered = new CountDownLatch(1);
        final VcpuKicker kicker = new VcpuKicker();
        private final LinuxLibc libc = NativeLibc.libc();
        private final Deque<Runnable> cleanup = new ArrayDeque<>();
        volatile KvmExit exit;
        volatile SyscallException failure;
        volatile Throwable unexpected;

        GuestRun(Path device) {
            this.device = device;
        }

        boolean await(Duration timeout) {
            return await(done, timeout);
        }

        static boolean await(CountDownLatch latch, Duration timeout) {
            try {
                return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public void run() {
            try {
                exit = execute();
            } catch (SyscallException e) {
                failure = e;
            } catch (RuntimeException | Error e) {
                unexpected = e;
            } finally {
                kicker.disarm();
                while (!cleanup.isEmpty()) {
                    cleanup.pop().run();
                }
                runEntered.countDown();
                done.countDown();
            }
        }

        private KvmExit execute() throws SyscallException {
            int kvm = openFd(device.toString());
            int vm = fdFrom("KVM_CREATE_VM", libc.ioctl(kvm, KVM_CREATE_VM, 0L));
            // Intel without unrestricted guest needs it before the first run; others ignore it. Best effort, as QEMU.
            libc.ioctl(vm, KVM_SET_TSS_ADDR, TSS_ADDR);

            long guestMemory = map("mmap(guest memory)", LongModeGuest.MEMORY_SIZE,
                    LinuxLibc.MAP_PRIVATE | LinuxLibc.MAP_ANONYMOUS | LinuxLibc.MAP_NORESERVE, -1);
            byte[] image = LongModeGuest.memoryImage();
            Pointer.wrap(NativeLibc.runtime(), guestMemory).put(0, image, 0, image.length);
            Pointer region = Memory.allocateDirect(NativeLibc.runtime(), UMR_SIZE, true);
            region.putInt(UMR_SLOT, 0);
            region.putInt(UMR_FLAGS, 0);
            region.putLong(UMR_GUEST_PHYS_ADDR, 0);
            region.putLong(UMR_MEMORY_SIZE, LongModeGuest.MEMORY_SIZE);
            region.putLong(UMR_USERSPACE_ADDR, guestMemory);
            check("KVM_SET_USER_MEMORY_REGION", libc.ioctl(vm, KVM_SET_USER_MEMORY_REGION, region));

            int vcpu = fdFrom("KVM_CREATE_VCPU", libc.ioctl(vm, KVM_CREATE_VCPU, 0L));
            int runSize = libc.ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0L);
            if (runSize < 0) {
                throw SyscallException.last("KVM_GET_VCPU_MMAP_SIZE");
            }
            if (runSize < RUN_IO_DATA_OFFSET + Long.BYTES) {
                throw new IllegalStateException("KVM_GET_VCPU_MMAP_SIZE returned " + runSize + ", too small for kvm_run");
            }
            long runAddress = map("mmap(kvm_run)", runSize, LinuxLibc.MAP_SHARED, vcpu);
            Pointer kvmRun = Pointer.wrap(NativeLibc.runtime(), runAddress);

            setSregs(vcpu);
            ByteBuffer regs = LongModeGuest.regs();
            Pointer regsPtr = Memory.allocateDirect(NativeLibc.runtime(), REGS_SIZE, true);
            regsPtr.put(0, regs.array(), 0, REGS_SIZE);
            check("KVM_SET_REGS", libc.ioctl(vcpu, KVM_SET_REGS, regsPtr));

            kicker.arm(vcpu);
            runEntered.countDown();
            runUntilExit(vcpu);
            return readExit(kvmRun, runSize);
        }

        private void setSregs(int vcpu) throws SyscallException {
            Pointer sregsPtr = Memory.allocateDirect(NativeLibc.runtime(), SREGS_SIZE, true);
            check("KVM_GET_SREGS", libc.ioctl(vcpu, KVM_GET_SREGS, sregsPtr));
            byte[] sregs = new byte[SREGS_SIZE];
            sregsPtr.get(0, sregs, 0, SREGS_SIZE);
            LongModeGuest.applySregs(ByteBuffer.wrap(sregs));
            sregsPtr.put(0, sregs, 0, SREGS_SIZE);
            check("KVM_SET_SREGS", libc.ioctl(vcpu, KVM_SET_SREGS, sregsPtr));
        }

        private void runUntilExit(int vcpu) throws SyscallException {
            for (int attempt = 0; ; attempt++) {
                if (kicker.run(vcpu) == 0) {
                    return;
                }
                int errno = NativeLibc.errno();
                if (kicker.wasKicked()) {
                    throw new SyscallException("KVM_RUN (interrupted after the timeout)", EINTR);
                }
                if (errno != EINTR || attempt >= MAX_EINTR_RETRIES) {
                    throw new SyscallException("KVM_RUN", errno);
                }
            }
        }

        private static KvmExit readExit(Pointer kvmRun, int runSize) {
            int reason = kvmRun.getInt(RUN_EXIT_REASON);
            if (reason != KVM_EXIT_IO) {
                return KvmExit.other(reason, kvmRun.getLong(RUN_EXIT_UNION));
            }
            long dataOffset = kvmRun.getLong(RUN_IO_DATA_OFFSET);
            int value = dataOffset > 0 && dataOffset < runSize ? Byte.toUnsignedInt(kvmRun.getByte(dataOffset)) : -1;
            return KvmExit.io(
                    Byte.toUnsignedInt(kvmRun.getByte(RUN_IO_DIRECTION)),
                    Byte.toUnsignedInt(kvmRun.getByte(RUN_IO_SIZE)),
                    Short.toUnsignedInt(kvmRun.getShort(RUN_IO_PORT)),
                    value);
        }

        private int openFd(String path) throws SyscallException {
            return fdFrom("open(" + path + ")", libc.open(path, LinuxLibc.O_RDWR | LinuxLibc.O_CLOEXEC));
        }

        private int fdFrom(String call, int fd) throws SyscallException {
            if (fd < 0) {
                throw SyscallException.last(call);
            }
            cleanup.push(() -> libc.close(fd));
            return fd;
        }

        private long map(String call, long length, int flags, int fd) throws SyscallException {
            long address = libc.mmap(null, length, LinuxLibc.PROT_READ | LinuxLibc.PROT_WRITE, flags, fd, 0);
            if (address == LinuxLibc.MAP_FAILED) {
                throw SyscallException.last(call);
            }
            cleanup.push(() -> libc.munmap(address, length));
            return address;
        }

        private static void check(String call, int result) throws SyscallException {
            if (result < 0) {
                throw SyscallException.last(call);
            }
        }
    }
}
