package io.hvfabric.cli.command;

import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.output.ImageViews;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.ListImagesRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "image", description = "Manage boot images.",
        subcommands = {ImageCommands.ListImages.class, ImageCommands.RegisterImage.class})
final class ImageCommands {

    @Command(name = "list", description = "List registered images.")
    static final class ListImages extends ClientCommand {
        @Override
        int execute(SchedulerClient client, Printer printer) {
            List<Image> images = client.call(stub -> stub.listImages(ListImagesRequest.getDefaultInstance())).getImagesList();
            printer.array(images, () -> ImageViews.list(images));
            return 0;
        }
    }

    @Command(name = "register", description = "Register a kernel and initrd, present at the same paths on every host.")
    static final class RegisterImage extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--kernel", required = true, paramLabel = "PATH", description = "Kernel path on the hosts.")
        String kernel;

        @Option(names = "--initrd", required = true, paramLabel = "PATH", description = "Initrd path on the hosts.")
        String initrd;

        @Option(names = "--cmdline", paramLabel = "STR", defaultValue = "", description = "Base kernel command line.")
        String cmdline;

        @Option(names = "--guest-agent", description = "The image runs a QEMU guest agent: its VSIs report guest status "
                + "and accept vsi exec.")
        boolean guestAgent;

        @Override
        void validate() {
            requireAbsolute("--kernel", kernel);
            requireAbsolute("--initrd", initrd);
        }

        /** The paths are resolved on the hosts, where the operator's working directory means nothing. */
        private static void requireAbsolute(String option, String path) {
            if (!path.startsWith("/")) {
                throw CliException.usage(option + ": must be an absolute path on the hosts, got '" + path + "'");
            }
        }

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Image request = Image.newBuilder().setName(name).setKernel(kernel).setInitrd(initrd).setCmdline(cmdline)
                    .setGuestAgent(guestAgent).build();
            Image image = client.call(stub -> stub.registerImage(request));
            printer.object(image, () -> ImageViews.list(List.of(image)));
            return 0;
        }
    }
}
