package io.hvfabric.agent.migration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this host's QEMU can arm post-copy: it needs userfaultfd, which QEMU 7.2 opens as a plain syscall; a QEMU
 * that dropped to an unprivileged user gets it only if {@code vm.unprivileged_userfaultfd} is 1 (Debian's default is
 * 0). Without it, {@code migrate-set-capabilities postcopy-ram=on} fails with "Postcopy is not supported", so the
 * policy must not plan post-copy. Both ends derive their capabilities from the same policy, so hosts must agree.
 */
public final class PostcopySupport {
    public static final Path UNPRIVILEGED_USERFAULTFD = Path.of("/proc/sys/vm/unprivileged_userfaultfd");

    private PostcopySupport() {}

    /** @param qemuUser the unprivileged user QEMU runs as; empty when it runs as root */
    public static boolean available(Optional<String> qemuUser) {
        return available(qemuUser, UNPRIVILEGED_USERFAULTFD);
    }

    static boolean available(Optional<String> qemuUser, Path sysctl) {
        if (qemuUser.isEmpty()) {
            return true;
        }
        try {
            return "1".equals(Files.readString(sysctl).trim());
        } catch (IOException e) {
            return false; // kernels without the knob allow unprivileged userfaultfd only for root either way
        }
    }
}
