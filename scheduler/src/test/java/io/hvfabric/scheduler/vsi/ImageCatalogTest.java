package io.hvfabric.scheduler.vsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCatalogTest {
    @TempDir
    Path images;

    private Path defaultDir() throws IOException {
        return Files.createDirectories(images.resolve("default"));
    }

    @Test
    void theFeaturesFileDeclaresTheGuestAgent() throws IOException {
        Files.writeString(defaultDir().resolve("features"), "# written by images/build-image\nguest-agent\n");
        Files.writeString(defaultDir().resolve("cmdline"), "console=ttyS0 quiet\n");

        Image image = ImageCatalog.defaultImage(images);

        assertThat(image.getGuestAgent()).isTrue();
        assertThat(image.getName()).isEqualTo("default");
        assertThat(image.getKernel()).isEqualTo(images.resolve("default/vmlinuz").toString());
        assertThat(image.getInitrd()).isEqualTo(images.resolve("default/initrd.gz").toString());
        assertThat(image.getCmdline()).isEqualTo("console=ttyS0 quiet");
    }

    @Test
    void withoutTheWordOrTheFileThereIsNoGuestAgent() throws IOException {
        assertThat(ImageCatalog.defaultImage(images).getGuestAgent()).isFalse();
        assertThat(ImageCatalog.defaultImage(images).getCmdline()).isEqualTo(ImageCatalog.DEFAULT_CMDLINE);

        Files.writeString(defaultDir().resolve("features"), "# guest-agent\nguest-agent-v2\n\n");
        assertThat(ImageCatalog.defaultImage(images).getGuestAgent()).isFalse();

        Files.writeString(defaultDir().resolve("features"), "  guest-agent  \r\n");
        assertThat(ImageCatalog.defaultImage(images).getGuestAgent()).isTrue();
    }
}
