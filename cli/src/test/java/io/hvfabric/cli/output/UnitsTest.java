package io.hvfabric.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void memory() {
        assertThat(Units.mib(512)).isEqualTo("512 MiB");
        assertThat(Units.mib(24064)).isEqualTo("23.5 GiB");
        assertThat(Units.mib(2048)).isEqualTo("2 GiB");
        assertThat(Units.mib(0)).isEqualTo("0 B");
        assertThat(Units.mibRatio(1536, 24064)).isEqualTo("1.5/23.5 GiB");
        assertThat(Units.mibRatio(0, 512)).isEqualTo("0/512 MiB");
        assertThat(Units.gib(100)).isEqualTo("100 GiB");
        assertThat(Units.gibRatio(0, 2048)).isEqualTo("0/2 TiB");
    }

    @Test
    void cpusLinksAndDurations() {
        assertThat(Units.vcpus(2)).isEqualTo("2 vCPU");
        assertThat(Units.mbps(100)).isEqualTo("100 Mbit/s");
        assertThat(Units.mbps(10_000)).isEqualTo("10 Gbit/s");
        assertThat(Units.mbpsRatio(2500, 10_000)).isEqualTo("2.5/10 Gbit/s");
        assertThat(Units.duration(Duration.ofMillis(850))).isEqualTo("850ms");
        assertThat(Units.duration(Duration.ofSeconds(3))).isEqualTo("3s");
        assertThat(Units.duration(Duration.ofSeconds(125))).isEqualTo("2m05s");
        assertThat(Units.duration(Duration.ofMinutes(62))).isEqualTo("1h02m");
    }
}
