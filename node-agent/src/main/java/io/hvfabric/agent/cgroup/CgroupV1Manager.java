package io.hvfabric.agent.cgroup;

import static io.hvfabric.agent.cgroup.CgroupFiles.checkName;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * cgroup v1: separate hierarchies per controller, {@code <root>/cpu/<parent>/<name>/}
 * (cpu.cfs_quota_us, cpu.cfs_period_us) and {@code <root>/memory/<parent>/<name>/}
 * (memory.limit_in_bytes). A process is attached to both.
 */
public final class CgroupV1Manager implements CgroupManager {
    /** v1 reports "no limit" as the largest page-aligned long; anything this big counts as unlimited. */
    private static final long V1_UNLIMITED_THRESHOLD = 1L << 62;

    private final Path cpuParent;
    private final Path memoryParent;

    /**
     * @param root where the controller hierarchies are mounted, normally /sys/fs/cgroup
     * @param parentName the cgroup holding all VSIs, e.g. "hvfabric"
     */
    public CgroupV1Manager(Path root, String parentName) {
        this.cpuParent = root.resolve("cpu").resolve(checkName(parentName));
        this.memoryParent = root.resolve("memory").resolve(parentName);
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V1;
    }

    @Override
    public void create(String name, CgroupLimits limits) throws IOException {
        Path cpu = cpuParent.resolve(checkName(name));
        Path memory = memoryParent.resolve(name);
        CgroupFiles.mkdirs(cpu);
        CgroupFiles.mkdirs(memory);
        // Period first: the kernel checks the quota against the period in force.
        CgroupFiles.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(limits.cpuPeriodMicros()));
        CgroupFiles.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(limits.cpuQuotaMicros()));
        CgroupFiles.write(memory.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryLimitBytes()));
    }

    @Override
    public void attach(String name, long pid) throws IOException {
        String p = Long.toString(pid);
        CgroupFiles.write(cpuParent.resolve(checkName(name)).resolve("cgroup.procs"), p);
        CgroupFiles.write(memoryParent.resolve(name).resolve("cgroup.procs"), p);
    }

    /** Processes in both the cpu and the memory cgroup, i.e. fully contained. */
    @Override
    public Set<Long> processes(String name) throws IOException {
        Set<Long> cpu = CgroupFiles.readPids(cpuParent.resolve(checkName(name)).resolve("cgroup.procs"));
        Set<Long> memory = CgroupFiles.readPids(memoryParent.resolve(name).resolve("cgroup.procs"));
        Set<Long> both = new LinkedHashSet<>(cpu);
        both.retainAll(memory);
        return both;
    }

    @Override
    public Optional<CgroupLimits> readLimits(String name) throws IOException {
        Path cpu = cpuParent.resolve(checkName(name));
        Path memory = memoryParent.resolve(name);
        if (!Files.isDirectory(cpu) || !Files.isDirectory(memory)) {
            return Optional.empty();
        }
        long quota = Long.parseLong(CgroupFiles.read(cpu.resolve("cpu.cfs_quota_us")));
        long period = Long.parseLong(CgroupFiles.read(cpu.resolve("cpu.cfs_period_us")));
        long mem = Long.parseLong(CgroupFiles.read(memory.resolve("memory.limit_in_bytes")));
        return Optional.of(new CgroupLimits(
                quota < 0 ? CgroupLimits.UNLIMITED : quota,
                period,
                mem >= V1_UNLIMITED_THRESHOLD ? CgroupLimits.UNLIMITED : mem));
    }

    @Override
    public void remove(String name) throws IOException {
        CgroupFiles.removeCgroupDir(cpuParent.resolve(checkName(name)));
        CgroupFiles.removeCgroupDir(memoryParent.resolve(name));
    }
}
