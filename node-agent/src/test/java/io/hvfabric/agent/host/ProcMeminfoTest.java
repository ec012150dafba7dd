package io.hvfabric.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class ProcMeminfoTest {
    @TempDir
    Path dir;

    @Test
    void readsFieldInBytes() throws Exception {
        Path file = Files.writeString(dir.resolve("meminfo"),
                "MemTotal:       24683620 kB\nMemFree:        20000000 kB\nMemAvailable:   22000000 kB\n");
        ProcMeminfo meminfo = new ProcMeminfo(file);
        assertThat(meminfo.bytes("MemAvailable")).hasValue(22_000_000L * 1024);
        assertThat(meminfo.bytes("MemTotal")).hasValue(24_683_620L * 1024);
    }

    @Test
    void absentFieldOrFileIsEmpty() throws Exception {
        Path file = Files.writeString(dir.resolve("meminfo"), "MemTotal: 1000 kB\n");
        assertThat(new ProcMeminfo(file).bytes("MemAvailable")).isEmpty();
        assertThat(new ProcMeminfo(dir.resolve("missing")).bytes("MemAvailable")).isEmpty();
    }

    @Test
    void garbageValueNamesFileAndValue() throws Exception {
        Path file = Files.writeString(dir.resolve("meminfo"), "MemAvailable: lots kB\n");
        assertThatThrownBy(() -> new ProcMeminfo(file).bytes("MemAvailable"))
                .isInstanceOf(HostDiscoveryException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("'lots kB'");
    }
}
