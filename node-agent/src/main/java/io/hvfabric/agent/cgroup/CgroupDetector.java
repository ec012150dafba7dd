package io.hvfabric.agent.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Decides what a host offers by looking at the cgroup mount root: v2 when the unified hierarchy
 * is mounted there with cpu and memory available (pure v2, as on current Debian/Ubuntu/RHEL); v1
 * when the cpu and memory controller hierarchies are (legacy or hybrid, as on this lab machine,
 * whose /sys/fs/cgroup/unified holds only hugetlb and is ignored); otherwise none.
 */
public final class CgroupDetector {
    public static final Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup");
    public static final String DEFAULT_PARENT = "hvfabric";

    private CgroupDetector() {}

    public static CgroupVersion detect(Path root) {
        Path controllers = root.resolve("cgroup.controllers");
        if (Files.isRegularFile(controllers)) {
            try {
                List<String> available = Arrays.asList(Files.readString(controllers).trim().split("\\s+"));
                if (available.containsAll(List.of("cpu", "memory"))) {
                    return CgroupVersion.V2;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + controllers, e);
            }
        }
        if (Files.isRegularFile(root.resolve("cpu/cpu.cfs_quota_us"))
                && Files.isRegularFile(root.resolve("memory/memory.limit_in_bytes"))) {
            return CgroupVersion.V1;
        }
        return CgroupVersion.NONE;
    }

    /** The manager for what {@link #detect} finds under {@code root}. */
    public static CgroupManager managerFor(Path root, String parentName) {
        return switch (detect(root)) {
            case V2 -> new CgroupV2Manager(root, parentName);
            case V1 -> new CgroupV1Manager(root, parentName);
            case NONE -> new NoCgroupManager();
        };
    }
}
