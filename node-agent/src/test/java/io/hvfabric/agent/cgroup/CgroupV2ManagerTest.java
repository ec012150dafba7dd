package io.hvfabric.agent.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs against a directory tree laid out like a cgroup2 mount. */
@Timeout(10)
class CgroupV2ManagerTest {
    @TempDir
    Path root;

    private CgroupV2Manager manager;

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");
        manager = new CgroupV2Manager(root, "hvfabric");
    }

    @Test
    void createWritesCpuMaxAndMemoryMaxAndDelegatesControllers() throws Exception {
        manager.create("vsi-a", CgroupLimits.forVm(2, 256, 192L << 20));

        Path dir = root.resolve("hvfabric/vsi-a");
        assertThat(Files.readString(dir.resolve("cpu.max"))).isEqualTo("200000 100000");
        assertThat(Files.readString(dir.resolve("memory.max"))).isEqualTo(Long.toString((256L + 192) << 20));
        assertThat(Files.readString(root.resolve("cgroup.subtree_control"))).isEqualTo("+cpu +memory");
        assertThat(Files.readString(root.resolve("hvfabric/cgroup.subtree_control"))).isEqualTo("+cpu +memory");
    }

    @Test
    void onlyMissingControllersAreEnabled() throws Exception {
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpu io\n"); // as the kernel shows it
        manager.create("vsi-a", CgroupLimits.forVm(1, 128, 0));
        assertThat(Files.readString(root.resolve("cgroup.subtree_control"))).isEqualTo("+memory");
    }

    @Test
    void readLimitsRoundTripsIncludingUnlimited() throws Exception {
        manager.create("vsi-a", new CgroupLimits(150_000, 100_000, 1L << 30));
        assertThat(manager.readLimits("vsi-a")).contains(new CgroupLimits(150_000, 100_000, 1L << 30));

        Path dir = root.resolve("hvfabric/vsi-a");
        Files.writeString(dir.resolve("cpu.max"), "max 100000\n");
        Files.writeString(dir.resolve("memory.max"), "max\n");
        assertThat(manager.readLimits("vsi-a"))
                .contains(new CgroupLimits(CgroupLimits.UNLIMITED, 100_000, CgroupLimits.UNLIMITED));
        assertThat(manager.readLimits("absent")).isEmpty();
    }

    @Test
    void attachWritesThePidToCgroupProcs() throws Exception {
        manager.create("vsi-a", CgroupLimits.forVm(1, 128, 0));
        manager.attach("vsi-a", 4242);
        assertThat(Files.readString(root.resolve("hvfabric/vsi-a/cgroup.procs"))).isEqualTo("4242");
        assertThat(manager.processes("vsi-a")).containsExactly(4242L);
        assertThat(manager.processes("absent")).isEmpty();
    }

    @Test
    void removeDeletesTheCgroupAndIsIdempotent() throws Exception {
        manager.create("vsi-a", CgroupLimits.forVm(1, 128, 0));
        manager.remove("vsi-a");
        assertThat(root.resolve("hvfabric/vsi-a")).doesNotExist();
        assertThat(root.resolve("hvfabric")).isDirectory();
        manager.remove("vsi-a");
    }

    @Test
    void rejectsNamesThatWouldEscapeTheParent() {
        assertThatThrownBy(() -> manager.create("../etc", CgroupLimits.forVm(1, 128, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cgroup name must match");
    }
}
