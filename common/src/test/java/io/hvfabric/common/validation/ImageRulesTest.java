package io.hvfabric.common.validation;

import static io.hvfabric.common.validation.VsiSpecRulesTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.Image;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ImageRulesTest {
    private static final Path ROOT = Path.of("/var/cache/hvfabric/images");

    private static Image.Builder image(String kernel, String initrd) {
        return Image.newBuilder().setName("busybox").setKernel(kernel).setInitrd(initrd).setCmdline("console=ttyS0");
    }

    @Test
    void filesInsideTheImageDirectoryAreAcceptedRelativeOrAbsolute() {
        assertThat(ImageRules.validate(image("busybox/vmlinuz", "/var/cache/hvfabric/images/busybox/initrd.gz")
                .build(), ROOT)).isNotNull();
        assertThat(ImageRules.path("kernel", "busybox/./vmlinuz", ROOT))
                .isEqualTo(Path.of("/var/cache/hvfabric/images/busybox/vmlinuz"));
        assertThat(ImageRules.path("kernel", "/var/cache/hvfabric/images//b/vmlinuz", ROOT))
                .isEqualTo(Path.of("/var/cache/hvfabric/images/b/vmlinuz"));
    }

    @Test
    void systemFilesAndEscapesAreRefused() {
        assertRefused(() -> ImageRules.validate(image("/etc/shadow", "/etc/shadow").build(), ROOT),
                "field 'kernel': must be relative to the image directory or an absolute path inside it, "
                        + "/var/cache/hvfabric/images (got '/etc/shadow')");
        assertRefused(() -> ImageRules.validate(image("busybox/vmlinuz", "../../../etc/shadow").build(), ROOT),
                "field 'initrd': must not contain '..' segments (got '../../../etc/shadow')");
        assertRefused(() -> ImageRules.path("kernel", "/var/cache/hvfabric/images/../../../etc/shadow", ROOT),
                "field 'kernel': must not contain '..' segments");
        assertRefused(() -> ImageRules.path("kernel", "/var/cache/hvfabric/images-evil/vmlinuz", ROOT),
                "field 'kernel': must be relative to the image directory");
        assertRefused(() -> ImageRules.path("kernel", "/var/cache/hvfabric/images", ROOT), "field 'kernel'");
        assertRefused(() -> ImageRules.path("kernel", ".", ROOT), "field 'kernel'");
        assertRefused(() -> ImageRules.path("kernel", "", ROOT), "field 'kernel': must name a file");
    }

    @Test
    void controlCharactersLengthAndCmdlineAreBounded() {
        assertRefused(() -> ImageRules.path("kernel", "busybox/vmlinuz\0.txt", ROOT),
                "field 'kernel': must be printable ASCII");
        assertRefused(() -> ImageRules.path("initrd", "a\u0085b", ROOT), "field 'initrd': must be printable ASCII");
        assertRefused(() -> ImageRules.path("kernel", "a/".repeat(200), ROOT),
                "field 'kernel': must be at most 255 characters (got 400)");
        assertRefused(() -> ImageRules.validate(image("k", "i").setCmdline("quiet\n").build(), ROOT),
                "field 'cmdline': must be printable ASCII");
        assertRefused(() -> ImageRules.validate(image("k", "i").setCmdline("q".repeat(513)).build(), ROOT),
                "field 'cmdline': must be at most 512 characters");
        assertRefused(() -> ImageRules.validate(image("k", "i").setName("Busy Box").build(), ROOT), "field 'name'");
    }
}
