package io.hvfabric.agent.vsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Image;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
    @TempDir
    Path tmp;
    private Path root;
    private Path secret;

    @BeforeEach
    void layout() throws Exception {
        root = Files.createDirectories(tmp.resolve("images"));
        Files.createDirectories(root.resolve("busybox"));
        Files.writeString(root.resolve("busybox/vmlinuz"), "k");
        Files.writeString(root.resolve("busybox/initrd.gz"), "i");
        secret = Files.writeString(tmp.resolve("shadow"), "root:$6$secret");
    }

    private static Image image(String kernel, String initrd) {
        return Image.newBuilder().setName("busybox").setKernel(kernel).setInitrd(initrd).build();
    }

    private static void assertRefused(Runnable call, ErrorCode code, String messagePart) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    @Test
    void relativeAndAbsolutePathsInsideTheImageDirectoryResolveToTheRealFiles() {
        ImageFiles files = new ImageFiles(root);
        Image image = image("busybox/vmlinuz", root.resolve("busybox/initrd.gz").toString());
        assertThat(files.kernel(image)).isEqualTo(root.resolve("busybox/vmlinuz"));
        assertThat(files.initrd(image)).isEqualTo(root.resolve("busybox/initrd.gz"));
    }

    @Test
    void anImageDirectoryReachedThroughALinkStillWorks() throws Exception {
        Path linked = Files.createSymbolicLink(tmp.resolve("images-link"), root);
        ImageFiles files = new ImageFiles(linked);
        assertThat(files.kernel(image("busybox/vmlinuz", "busybox/initrd.gz")))
                .isEqualTo(root.toRealPath().resolve("busybox/vmlinuz"));
    }

    @Test
    void aLinkInsideTheImageDirectoryThatLeavesItIsRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("busybox/evil"), secret);
        Files.createSymbolicLink(root.resolve("escape"), tmp);
        ImageFiles files = new ImageFiles(root);
        assertRefused(() -> files.kernel(image("busybox/evil", "busybox/initrd.gz")), ErrorCode.PERMISSION_DENIED,
                "resolves to " + secret.toRealPath() + ", outside the image directory");
        assertRefused(() -> files.initrd(image("busybox/vmlinuz", "escape/shadow")), ErrorCode.PERMISSION_DENIED,
                "outside the image directory");
    }

    @Test
    void pathsOutsideTheImageDirectoryAreRefusedBeforeTouchingTheFileSystem() {
        ImageFiles files = new ImageFiles(root);
        assertRefused(() -> files.kernel(image(secret.toString(), "busybox/initrd.gz")), ErrorCode.INVALID_ARGUMENT,
                "field 'kernel': must be relative to the image directory or an absolute path inside it");
        assertRefused(() -> files.initrd(image("busybox/vmlinuz", "../shadow")), ErrorCode.INVALID_ARGUMENT,
                "field 'initrd': must not contain '..' segments");
    }

    @Test
    void aMissingFileOrADirectoryIsAFailedPrecondition() {
        ImageFiles files = new ImageFiles(root);
        assertRefused(() -> files.kernel(image("other/vmlinuz", "busybox/initrd.gz")), ErrorCode.FAILED_PRECONDITION,
                "is missing on this host");
        assertRefused(() -> files.kernel(image("busybox", "busybox/initrd.gz")), ErrorCode.FAILED_PRECONDITION,
                "is not a readable regular file");
    }
}
