package io.hvfabric.agent.vsi;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.ImageRules;
import io.hvfabric.proto.v1.Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns an image's kernel and initrd into files QEMU may open: only regular files inside this agent's image directory
 * ({@code --image-dir}), with every symbolic link resolved first. The scheduler's lexical check cannot see a link
 * planted under the image directory that points at {@code /etc/shadow}; this one does, on the host that would open it.
 */
public final class ImageFiles {
    private final Path root;

    /** {@code root} is the image directory; it may itself be reached through links. */
    public ImageFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** The real path of the image's kernel. */
    public Path kernel(Image image) {
        return resolve(image, "kernel", image.getKernel());
    }

    /** The real path of the image's initrd. */
    public Path initrd(Image image) {
        return resolve(image, "initrd", image.getInitrd());
    }

    /**
     * @throws FabricException INVALID_ARGUMENT for a path the shared image rules refuse, PERMISSION_DENIED for one
     *     that leaves the image directory through a link, FAILED_PRECONDITION when the file is not on this host
     */
    private Path resolve(Image image, String field, String value) {
        Path file = ImageRules.path(field, value, root);
        Path realFile;
        Path realRoot;
        try {
            realRoot = root.toRealPath();
            realFile = file.toRealPath();
        } catch (IOException e) {
            throw FabricException.failedPrecondition("image '%s': %s %s is missing on this host (run images/build-image)",
                    image.getName(), field, file);
        }
        if (!realFile.startsWith(realRoot)) {
            throw FabricException.permissionDenied(
                    "image '%s': %s %s resolves to %s, outside the image directory %s; refused", image.getName(), field,
                    file, realFile, realRoot);
        }
        if (!Files.isRegularFile(realFile) || !Files.isReadable(realFile)) {
            throw FabricException.failedPrecondition("image '%s': %s %s is not a readable regular file",
                    image.getName(), field, realFile);
        }
        return realFile;
    }
}
