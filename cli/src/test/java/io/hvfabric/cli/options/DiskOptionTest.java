package io.hvfabric.cli.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.cli.CliException;
import io.hvfabric.proto.v1.DiskSpec;
import org.junit.jupiter.api.Test;

class DiskOptionTest {
    @Test
    void aVolumeWithItsOptionsAndANewScratchDisk() {
        assertThat(DiskOption.parse("data")).isEqualTo(DiskSpec.newBuilder().setVolume("data").build());
        assertThat(DiskOption.parse("data,bus=virtio,readonly")).isEqualTo(DiskSpec.newBuilder().setVolume("data")
                .setBus("virtio").setReadonly(true).build());
        assertThat(DiskOption.parse("new:64M")).isEqualTo(DiskSpec.newBuilder().setNewSizeBytes(64L << 20).build());
        assertThat(DiskOption.parse("new:10G")).isEqualTo(DiskSpec.newBuilder().setNewSizeBytes(10L << 30).build());
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> DiskOption.parse("new:lots")).isInstanceOf(CliException.class)
                .hasMessage("--disk: new:SIZE needs a size like 64M or 10G, got 'lots'");
        assertThatThrownBy(() -> DiskOption.parse("new:0")).isInstanceOf(CliException.class)
                .hasMessage("--disk: new:SIZE needs a size like 64M or 10G, got '0'");
        assertThatThrownBy(() -> DiskOption.parse("data,fast")).isInstanceOf(CliException.class)
                .hasMessage("--disk: unknown item 'fast'; expected bus=virtio or readonly");
        assertThatThrownBy(() -> DiskOption.parse("data,readonly,readonly")).isInstanceOf(CliException.class)
                .hasMessage("--disk: 'readonly' given twice");
        assertThatThrownBy(() -> DiskOption.parse("bus=virtio")).isInstanceOf(CliException.class)
                .hasMessage("--disk: must start with a volume name or new:SIZE, got 'bus=virtio'; expected "
                        + DiskOption.SYNTAX);
    }

    @Test
    void sizesArePowersOf1024() {
        assertThat(ByteSize.parse("512K")).contains(512L << 10);
        assertThat(ByteSize.parse("1TiB")).contains(1L << 40);
        assertThat(ByteSize.parse("4096")).contains(4096L);
        assertThat(ByteSize.parse("99999999999T")).isEmpty();
        assertThat(ByteSize.parse("-1G")).isEmpty();
    }
}
