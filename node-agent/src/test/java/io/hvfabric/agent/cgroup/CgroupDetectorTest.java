package io.hvfabric.agent.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class CgroupDetectorTest {
    @TempDir
    Path root;

    @Test
    void unifiedHierarchyWithCpuAndMemoryIsV2() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        assertThat(CgroupDetector.detect(root)).isEqualTo(CgroupVersion.V2);
        assertThat(CgroupDetector.managerFor(root, "hvfabric")).isInstanceOf(CgroupV2Manager.class);
    }

    @Test
    void hybridHostWithV1CpuAndMemoryIsV1() throws Exception {
        Files.createDirectories(root.resolve("cpu"));
        Files.createDirectories(root.resolve("memory"));
        Files.createDirectories(root.resolve("unified"));
        Files.writeString(root.resolve("unified/cgroup.controllers"), "hugetlb\n");
        Files.writeString(root.resolve("cpu/cpu.cfs_quota_us"), "-1\n");
        Files.writeString(root.resolve("memory/memory.limit_in_bytes"), "9223372036854771712\n");
        assertThat(CgroupDetector.detect(root)).isEqualTo(CgroupVersion.V1);
        assertThat(CgroupDetector.managerFor(root, "hvfabric")).isInstanceOf(CgroupV1Manager.class);
    }

    @Test
    void unifiedWithoutTheCpuControllerAndNoV1IsNone() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "memory pids\n");
        assertThat(CgroupDetector.detect(root)).isEqualTo(CgroupVersion.NONE);
        assertThat(CgroupDetector.managerFor(root, "hvfabric").version()).isEqualTo(CgroupVersion.NONE);
        assertThat(CgroupVersion.NONE.label()).isEqualTo("none");
    }

    @Test
    void limitsForAVmAreOneCpuPerVcpuAndRamPlusOverhead() {
        CgroupLimits limits = CgroupLimits.forVm(3, 1024, 192L << 20);
        assertThat(limits.cpuQuotaMicros()).isEqualTo(300_000);
        assertThat(limits.cpuPeriodMicros()).isEqualTo(100_000);
        assertThat(limits.memoryLimitBytes()).isEqualTo((1024L + 192) << 20);
        assertThatThrownBy(() -> new CgroupLimits(500, 100_000, 1))
                .hasMessageContaining("cpuQuotaMicros must be >= 1000");
    }
}
