package io.hvfabric.agent.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs against a directory tree laid out like cgroup v1 cpu and memory hierarchies. */
@Timeout(10)
class CgroupV1ManagerTest {
    @TempDir
    Path root;

    private CgroupV1Manager manager;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(root.resolve("cpu"));
        Files.createDirectories(root.resolve("memory"));
        manager = new CgroupV1Manager(root, "hvfabric");
    }

    @Test
    void createWritesCfsQuotaPeriodAndMemoryLimit() throws Exception {
        manager.create("vsi-a", CgroupLimits.forVm(2, 256, 192L << 20));

        assertThat(Files.readString(root.resolve("cpu/hvfabric/vsi-a/cpu.cfs_quota_us"))).isEqualTo("200000");
        assertThat(Files.readString(root.resolve("cpu/hvfabric/vsi-a/cpu.cfs_period_us"))).isEqualTo("100000");
        assertThat(Files.readString(root.resolve("memory/hvfabric/vsi-a/memory.limit_in_bytes")))
                .isEqualTo(Long.toString((256L + 192) << 20));
    }

    @Test
    void readLimitsMapsTheKernelsUnlimitedValues() throws Exception {
        manager.create("vsi-a", new CgroupLimits(50_000, 100_000, 512L << 20));
        assertThat(manager.readLimits("vsi-a")).contains(new CgroupLimits(50_000, 100_000, 512L << 20));

        Files.writeString(root.resolve("cpu/hvfabric/vsi-a/cpu.cfs_quota_us"), "-1\n");
        Files.writeString(root.resolve("memory/hvfabric/vsi-a/memory.limit_in_bytes"), "9223372036854771712\n");
        assertThat(manager.readLimits("vsi-a"))
                .contains(new CgroupLimits(CgroupLimits.UNLIMITED, 100_000, CgroupLimits.UNLIMITED));
        assertThat(manager.readLimits("absent")).isEmpty();
    }

    @Test
    void attachJoinsBothHierarchies() throws Exception {
        manager.create("vsi-a", CgroupLimits.forVm(1, 128, 0));
        manager.attach("vsi-a", 777);

        assertThat(Files.readString(root.resolve("cpu/hvfabric/vsi-a/cgroup.procs"))).isEqualTo("777");
        assertThat(Files.readString(root.resolve("memory/hvfabric/vsi-a/cgroup.procs"))).isEqualTo("777");
        assertThat(manager.processes("vsi-a")).containsExactly(777L);
    }

    @Test
    void aProcessInOnlyOneHierarchyIsNotContained() throws Exception {
        manager.create("vsi-a", CgroupLimits.forVm(1, 128, 0));
        Files.writeString(root.resolve("cpu/hvfabric/vsi-a/cgroup.procs"), "10\n11\n");
        Files.writeString(root.resolve("memory/hvfabric/vsi-a/cgroup.procs"), "11\n");
        assertThat(manager.processes("vsi-a")).containsExactly(11L);
    }

    @Test
    void removeDeletesBothCgroups() throws Exception {
        manager.create("vsi-a", CgroupLimits.forVm(1, 128, 0));
        manager.remove("vsi-a");
        assertThat(root.resolve("cpu/hvfabric/vsi-a")).doesNotExist();
        assertThat(root.resolve("memory/hvfabric/vsi-a")).doesNotExist();
        manager.remove("vsi-a");
    }
}
