package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.Image;
import java.util.List;

/** Table rendering of boot images. */
public final class ImageViews {
    private ImageViews() {}

    public static String list(List<Image> images) {
        Table table = new Table("NAME", "KERNEL", "INITRD", "GUEST AGENT", "CMDLINE");
        images.forEach(image -> table.row(image.getName(), image.getKernel(), image.getInitrd(),
                image.getGuestAgent() ? "yes" : "no", image.getCmdline()));
        return table.render();
    }
}
