package io.hvfabric.agent.driver.qemu;

import io.hvfabric.agent.driver.DiskAttachment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VSI's local disk images before its QEMU starts: created with {@code qemu-img create -f qcow2} when missing, grown
 * with {@code qemu-img resize} when the volume grew, and owned by the VSI's uid (mode 0600) so nothing but its QEMU and
 * root opens them. Their directories are root's, mode 0711: a QEMU may reach its own file and list nothing.
 */
final class QcowImages {
    private static final Pattern VIRTUAL_SIZE = Pattern.compile("\"virtual-size\"\\s*:\\s*(\\d+)");
    private static final long TIMEOUT_S = 60;

    private final String qemuImg;

    QcowImages(String qemuImg) {
        this.qemuImg = qemuImg;
    }

    void prepare(DiskAttachment disk, OptionalInt owner) throws IOException {
        Path file = disk.file();
        createDirectories(file.getParent());
        if (Files.isSymbolicLink(file)) {
            throw new IOException(file + " is a symbolic link; refusing to use it as a disk image");
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            run(List.of(qemuImg, "create", "-q", "-f", "qcow2", file.toString(), Long.toString(disk.sizeBytes())));
        } else {
            long current = virtualSize(file);
            if (current < disk.sizeBytes()) {
                run(List.of(qemuImg, "resize", "-q", "-f", "qcow2", file.toString(), Long.toString(disk.sizeBytes())));
            }
        }
        if (owner.isPresent()) {
            Files.setAttribute(file, "unix:uid", owner.getAsInt(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(file, "unix:gid", owner.getAsInt(), LinkOption.NOFOLLOW_LINKS);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private static void createDirectories(Path dir) throws IOException {
        if (dir == null || Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        createDirectories(dir.getParent());
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    }

    private long virtualSize(Path file) throws IOException {
        String json = run(List.of(qemuImg, "info", "--output=json", "-f", "qcow2", file.toString()));
        Matcher m = VIRTUAL_SIZE.matcher(json);
        if (!m.find()) {
            throw new IOException("qemu-img info " + file + " reported no virtual-size: " + json);
        }
        return Long.parseLong(m.group(1));
    }

    private static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + TIMEOUT_S + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command.get(0), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out.strip());
        }
        return out;
    }
}
