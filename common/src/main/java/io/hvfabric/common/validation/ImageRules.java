package io.hvfabric.common.validation;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Image;
import java.nio.file.Path;

/**
 * Where an {@link Image}'s kernel and initrd may be: inside the image directory ({@code --image-dir}), given either
 * relative to it or as an absolute path under it. Checked lexically when the scheduler registers an image and again
 * by the agent before it launches; the agent then also resolves symbolic links ({@code ImageFiles}), which no
 * lexical rule can see.
 */
public final class ImageRules {
    public static final int MAX_PATH = 255;
    /** The image's base command line; with the VSI's kernel args and its name it stays below Linux's 2048. */
    public static final int MAX_CMDLINE = 512;

    private ImageRules() {}

    /** {@code root}: the image directory of the validating process. */
    public static Image validate(Image image, Path root) {
        FieldRules.dnsLabel("name", image.getName());
        path("kernel", image.getKernel(), root);
        path("initrd", image.getInitrd(), root);
        FieldRules.printableAscii("cmdline", image.getCmdline(), MAX_CMDLINE);
        return image;
    }

    /** The file {@code value} names, absolute and normalized: {@code root/value} for a relative one. */
    public static Path path(String field, String value, Path root) {
        if (value.isEmpty()) {
            throw FabricException.invalidArgument(field, "must name a file in the image directory %s", root);
        }
        FieldRules.printableAscii(field, value, MAX_PATH);
        for (String segment : value.split("/")) {
            if (segment.equals("..")) {
                throw FabricException.invalidArgument(field, "must not contain '..' segments (got '%s')", value);
            }
        }
        Path base = root.toAbsolutePath().normalize();
        Path file = base.resolve(value).normalize();
        if (!file.startsWith(base) || file.equals(base)) {
            throw FabricException.invalidArgument(field,
                    "must be relative to the image directory or an absolute path inside it, %s (got '%s')",
                    base, value);
        }
        return file;
    }
}
