package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real syscalls against this machine and compares with what the kernel says through /proc and the JDK. */
@Timeout(20)
class HostDiscoveryTest {
    private static final long MIB = 1L << 20;
    private static final Path TMP = Path.of("/tmp");

    private final HostDiscovery discovery = new HostDiscovery(TMP, 10_000);

    @Test
    void logicalCpusAreTheCpusInTheAffinityMask() throws Exception {
        HostFacts facts = discovery.discover();
        String allowed = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElseThrow();
        assertThat(facts.logicalCpus()).isEqualTo(CpuAffinityTest.countCpuList(allowed));
        assertThat(facts.logicalCpus()).isGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void memoryTotalWithinOnePercentOfMemTotal() {
        HostFacts facts = discovery.discover();
        long memTotalMib = ProcMeminfo.system().bytes("MemTotal").orElseThrow() / MIB;
        assertThat(facts.memoryTotalMib()).isCloseTo(memTotalMib, withPercentage(1));
        assertThat(facts.memoryAvailableMib()).isBetween(1L, facts.memoryTotalMib());
    }

    @Test
    void memoryAvailablePrefersMemAvailable(@TempDir Path dir) throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemAvailable: 2097152 kB\n");
        HostDiscovery withFakeMeminfo = new HostDiscovery(TMP, new NicDiscovery(10_000), new ProcMeminfo(meminfo));
        assertThat(withFakeMeminfo.discover().memoryAvailableMib()).isEqualTo(2048);
        assertThat(withFakeMeminfo.sampleUsage().memoryAvailableMib()).isEqualTo(2048);
    }

    @Test
    void memoryAvailableFallsBackToSysinfoWithoutMemAvailable(@TempDir Path dir) {
        HostDiscovery noMeminfo =
                new HostDiscovery(TMP, new NicDiscovery(10_000), new ProcMeminfo(dir.resolve("absent")));
        long fromSysinfo = noMeminfo.discover().memoryAvailableMib();
        long memFreeMib = ProcMeminfo.system().bytes("MemFree").orElseThrow() / MIB;
        // free + buffers: at least MemFree give or take what moved between the two reads.
        assertThat(fromSysinfo).isGreaterThanOrEqualTo(memFreeMib - memFreeMib / 20);
    }

    @Test
    void diskFreeOfTmpMatchesTheJdk() throws Exception {
        DiskSpace space = DiskSpace.of(TMP);
        File tmp = TMP.toFile();
        assertThat(space.totalBytes()).isEqualTo(tmp.getTotalSpace());
        assertThat(space.availableBytes()).isCloseTo(tmp.getUsableSpace(), withPercentage(2));
        HostFacts facts = discovery.discover();
        assertThat(facts.diskTotalGib()).isEqualTo(tmp.getTotalSpace() >> 30);
        assertThat(facts.diskFreeGib()).isCloseTo(tmp.getUsableSpace() >> 30, within(1L));
    }

    @Test
    void kernelReleaseIsUnameRelease() throws Exception {
        String osrelease = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        assertThat(discovery.discover().kernelRelease()).isEqualTo(osrelease);
    }

    @Test
    void loadAverageMatchesProcLoadavg() throws Exception {
        double procLoad = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        UsageSample usage = discovery.sampleUsage();
        assertThat(usage.loadAverage1m()).isCloseTo(procLoad, within(0.5));
        assertThat(usage.diskFreeGib()).isCloseTo(TMP.toFile().getUsableSpace() >> 30, within(1L));
    }

    @Test
    void nicIsAnInterfaceOfThisHost() {
        NicInfo nic = discovery.discover().nic();
        assertThat(Path.of("/sys/class/net", nic.name())).isDirectory();
        assertThat(nic.speedMbps()).isPositive();
    }

    @Test
    void missingStoragePathIsNamedInTheError(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-dir");
        assertThatThrownBy(() -> new HostDiscovery(missing, 10_000).discover())
                .isInstanceOf(HostDiscoveryException.class)
                .hasMessageContaining("storagePath " + missing)
                .hasMessageContaining("ENOENT");
    }

    @Test
    void rejectsBadConfiguration() {
        assertThatThrownBy(() -> new HostDiscovery(TMP, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("defaultSpeedMbps must be positive");
        assertThatThrownBy(() -> new HostDiscovery(null, 10_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("storagePath");
    }
}
