package io.hvfabric.agent.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.driver.DiskAttachment;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.DiskSpec;
import io.hvfabric.proto.v1.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeFilesTest {
    @TempDir
    Path tmp;

    private static DiskSpec disk(String id, long size) {
        return DiskSpec.newBuilder().setVolume(id.substring(id.indexOf('/') + 1)).setId(id).setSizeBytes(size)
                .setKind(Volume.Kind.LOCAL).setBus("virtio").build();
    }

    @Test
    void aDiskIsTheVolumesFileUnderItsTenantNamedByIndexWithTheVolumeAsSerial() {
        VolumeFiles files = new VolumeFiles(tmp);

        DiskAttachment attached = files.attachment(1, disk("acme/data", 64L << 20).toBuilder().setReadonly(true)
                .build());

        assertThat(attached).isEqualTo(new DiskAttachment("disk1", tmp.resolve("acme/data.qcow2"), 64L << 20, true,
                "data"));
        assertThat(files.attachment(0, disk("acme/a-very-long-volume-name-0", 1L << 20)).serial())
                .isEqualTo("a-very-long-volume-n");
    }

    @Test
    void anIdThatCouldLeaveTheRootOrANetworkVolumeIsRefused() {
        VolumeFiles files = new VolumeFiles(tmp);

        for (String id : List.of("../etc/passwd", "acme/../../x", "acme/data/x", "/abs", "acme/")) {
            assertThatThrownBy(() -> files.file(id)).isInstanceOfSatisfying(FabricException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
        assertThatThrownBy(() -> files.attachment(0, disk("acme/n", 1L << 20).toBuilder()
                .setKind(Volume.Kind.NETWORK).build())).isInstanceOfSatisfying(FabricException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION));
        assertThatThrownBy(() -> files.attachment(0, disk("acme/n", 1000))).isInstanceOfSatisfying(
                FabricException.class, e -> assertThat(e.getMessage()).contains("disks[0].size_bytes"));
    }

    @Test
    void aSweepDeletesOnlyImagesNoLongerHeldAndLeavesOtherFilesAlone() throws Exception {
        VolumeFiles files = new VolumeFiles(tmp);
        Files.createDirectories(tmp.resolve("acme"));
        Files.createDirectories(tmp.resolve("system"));
        Files.writeString(tmp.resolve("acme/data.qcow2"), "kept");
        Files.writeString(tmp.resolve("acme/old.qcow2"), "gone");
        Files.writeString(tmp.resolve("system/ops.qcow2"), "kept");
        Files.writeString(tmp.resolve("acme/notes.txt"), "not an image");

        List<String> deleted = files.sweep(List.of("acme/data", "system/ops"));

        assertThat(deleted).containsExactly("acme/old");
        assertThat(tmp.resolve("acme/data.qcow2")).exists();
        assertThat(tmp.resolve("system/ops.qcow2")).exists();
        assertThat(tmp.resolve("acme/notes.txt")).exists();
        assertThat(tmp.resolve("acme/old.qcow2")).doesNotExist();
        assertThat(new VolumeFiles(tmp.resolve("absent")).sweep(List.of())).isEmpty();
    }
}
