package io.hvfabric.agent.host;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Reads the host's facts (CPUs granted to the agent, memory, storage, kernel, primary NIC) through libc, and samples
 * its usage for heartbeats.
 */
public final class HostDiscovery {
    private static final long MIB = 1L << 20;

    private final Path storagePath;
    private final NicDiscovery nicDiscovery;
    private final ProcMeminfo meminfo;

    /**
     * @param storagePath where guest disks live; its filesystem's size and free space are reported
     * @param nicDiscovery finds the primary NIC
     * @param meminfo source of MemAvailable
     */
    public HostDiscovery(Path storagePath, NicDiscovery nicDiscovery, ProcMeminfo meminfo) {
        if (storagePath == null) {
            throw new IllegalArgumentException("storagePath must not be null");
        }
        if (nicDiscovery == null) {
            throw new IllegalArgumentException("nicDiscovery must not be null");
        }
        if (meminfo == null) {
            throw new IllegalArgumentException("meminfo must not be null");
        }
        this.storagePath = storagePath;
        this.nicDiscovery = nicDiscovery;
        this.meminfo = meminfo;
    }

    /**
     * @param storagePath where guest disks live
     * @param defaultNicSpeedMbps speed assumed for a NIC that reports none (e.g. 10000)
     */
    public HostDiscovery(Path storagePath, int defaultNicSpeedMbps) {
        this(storagePath, new NicDiscovery(defaultNicSpeedMbps), ProcMeminfo.system());
    }

    public HostFacts discover() {
        SysinfoStruct info = sysinfo();
        DiskSpace disk = disk();
        NicInfo nic = nicDiscovery
                .discover()
                .orElseThrow(() -> new HostDiscoveryException(
                        "no network interface: no default route in /proc/net/route and no UP non-loopback"
                                + " interface in /sys/class/net"));
        return new HostFacts(
                logicalCpus(),
                info.totalram.get() * info.memUnit.get() / MIB,
                availableMemoryBytes(info) / MIB,
                disk.totalGib(),
                disk.availableGib(),
                kernelRelease(),
                loadAverage1m(info),
                nic);
    }

    public UsageSample sampleUsage() {
        SysinfoStruct info = sysinfo();
        return new UsageSample(loadAverage1m(info), availableMemoryBytes(info) / MIB, disk().availableGib());
    }

    private static int logicalCpus() {
        try {
            return CpuAffinity.allowedCpusOfProcess();
        } catch (SyscallException e) {
            throw new HostDiscoveryException(e.getMessage(), e);
        }
    }

    private long availableMemoryBytes(SysinfoStruct info) {
        OptionalLong memAvailable = meminfo.bytes("MemAvailable");
        if (memAvailable.isPresent()) {
            return memAvailable.getAsLong();
        }
        // Kernels before 3.14 have no MemAvailable: free + buffers is the usual lower estimate.
        return (info.freeram.get() + info.bufferram.get()) * info.memUnit.get();
    }

    private static double loadAverage1m(SysinfoStruct info) {
        return info.loads[0].get() / (double) (1 << SysinfoStruct.SI_LOAD_SHIFT);
    }

    private DiskSpace disk() {
        try {
            return DiskSpace.of(storagePath);
        } catch (SyscallException e) {
            throw new HostDiscoveryException("storagePath " + storagePath + ": " + e.getMessage(), e);
        }
    }

    private static SysinfoStruct sysinfo() {
        SysinfoStruct info = new SysinfoStruct(NativeLibc.runtime());
        if (NativeLibc.libc().sysinfo(info) != 0) {
            throw new HostDiscoveryException(SyscallException.last("sysinfo").getMessage());
        }
        return info;
    }

    static String kernelRelease() {
        Pointer buf = Memory.allocateDirect(NativeLibc.runtime(), LinuxLibc.UTSNAME_BYTES, true);
        if (NativeLibc.libc().uname(buf) != 0) {
            throw new HostDiscoveryException(SyscallException.last("uname").getMessage());
        }
        return buf.getString(LinuxLibc.UTSNAME_RELEASE_OFFSET, LinuxLibc.UTSNAME_FIELD_BYTES, StandardCharsets.US_ASCII);
    }
}
