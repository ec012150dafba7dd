package io.hvfabric.agent.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** The guest kernel (and initramfs) the accelerator decision boots. */
public record BootKernel(Path kernel, Optional<Path> initrd) {
    public BootKernel {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
    }

    /**
     * The default image's kernel (what VSIs boot), else the host's own kernel; empty when neither is readable, and
     * then KVM cannot be confirmed.
     */
    public static Optional<BootKernel> find(Path imageDir, String kernelRelease) {
        Path image = imageDir.resolve("default");
        if (Files.isReadable(image.resolve("vmlinuz"))) {
            Path initrd = image.resolve("initrd.gz");
            return Optional.of(new BootKernel(image.resolve("vmlinuz"),
                    Files.isReadable(initrd) ? Optional.of(initrd) : Optional.empty()));
        }
        Path host = Path.of("/boot/vmlinuz-" + kernelRelease);
        return Files.isReadable(host) ? Optional.of(new BootKernel(host, Optional.empty())) : Optional.empty();
    }
}
