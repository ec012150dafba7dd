package io.hvfabric.agent.cgroup;

import static io.hvfabric.agent.cgroup.CgroupFiles.checkName;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * cgroup v2 (unified hierarchy): {@code <root>/<parent>/<name>/} with {@code cpu.max} ("quota
 * period"), {@code memory.max} and {@code cgroup.procs}. The cpu and memory controllers are enabled
 * in {@code cgroup.subtree_control} of the root and of the parent, since v2 only offers a child the
 * controllers its parent delegates.
 */
public final class CgroupV2Manager implements CgroupManager {
    private static final List<String> CONTROLLERS = List.of("cpu", "memory");

    private final Path root;
    private final Path parent;

    /**
     * @param root mount point of the unified hierarchy, normally /sys/fs/cgroup
     * @param parentName the cgroup holding all VSIs, e.g. "hvfabric"
     */
    public CgroupV2Manager(Path root, String parentName) {
        this.root = root;
        this.parent = root.resolve(checkName(parentName));
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V2;
    }

    @Override
    public void create(String name, CgroupLimits limits) throws IOException {
        Path dir = parent.resolve(checkName(name));
        enableControllers(root);
        CgroupFiles.mkdirs(parent);
        enableControllers(parent);
        CgroupFiles.mkdirs(dir);
        String quota = limits.cpuQuotaMicros() == CgroupLimits.UNLIMITED ? "max" : Long.toString(limits.cpuQuotaMicros());
        CgroupFiles.write(dir.resolve("cpu.max"), quota + " " + limits.cpuPeriodMicros());
        CgroupFiles.write(dir.resolve("memory.max"),
                limits.memoryLimitBytes() == CgroupLimits.UNLIMITED ? "max" : Long.toString(limits.memoryLimitBytes()));
    }

    private static void enableControllers(Path cgroup) throws IOException {
        Path control = cgroup.resolve("cgroup.subtree_control");
        Set<String> enabled = Files.exists(control) ? tokens(CgroupFiles.read(control)) : Set.of();
        StringBuilder missing = new StringBuilder();
        for (String c : CONTROLLERS) {
            if (!enabled.contains(c)) {
                missing.append(missing.length() == 0 ? "" : " ").append('+').append(c);
            }
        }
        if (missing.length() > 0) {
            CgroupFiles.write(control, missing.toString());
        }
    }

    @Override
    public void attach(String name, long pid) throws IOException {
        CgroupFiles.write(parent.resolve(checkName(name)).resolve("cgroup.procs"), Long.toString(pid));
    }

    @Override
    public Set<Long> processes(String name) throws IOException {
        return CgroupFiles.readPids(parent.resolve(checkName(name)).resolve("cgroup.procs"));
    }

    @Override
    public Optional<CgroupLimits> readLimits(String name) throws IOException {
        Path dir = parent.resolve(checkName(name));
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        String[] cpu = CgroupFiles.read(dir.resolve("cpu.max")).split("\\s+");
        String memory = CgroupFiles.read(dir.resolve("memory.max"));
        long quota = cpu[0].equals("max") ? CgroupLimits.UNLIMITED : Long.parseLong(cpu[0]);
        long period = cpu.length > 1 ? Long.parseLong(cpu[1]) : CgroupLimits.DEFAULT_PERIOD_MICROS;
        long mem = memory.equals("max") ? CgroupLimits.UNLIMITED : Long.parseLong(memory);
        return Optional.of(new CgroupLimits(quota, period, mem));
    }

    @Override
    public void remove(String name) throws IOException {
        CgroupFiles.removeCgroupDir(parent.resolve(checkName(name)));
    }

    private static Set<String> tokens(String s) {
        Set<String> out = new HashSet<>();
        for (String t : s.trim().split("\\s+")) {
            out.add(t.startsWith("+") ? t.substring(1) : t);
        }
        return out;
    }
}
