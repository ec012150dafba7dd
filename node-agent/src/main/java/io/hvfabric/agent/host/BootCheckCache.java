package io.hvfabric.agent.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers boot-check results on disk, keyed by everything that could change the answer: the host kernel, the KVM
 * module serving /dev/kvm, the QEMU version, the CPU model and machine type, and the guest kernel's bytes. A
 * restarted agent (or the other agents of a lab on the same machine) then reads the answer instead of paying the
 * bound again. A file lock serializes concurrent checks, so agents starting together boot the kernel once.
 */
public final class BootCheckCache {
    private static final Logger LOG = LoggerFactory.getLogger(BootCheckCache.class);
    private final Path dir;

    public BootCheckCache(Path dir) {
        this.dir = dir;
    }

    /** A key from the listed facts; the guest kernel is hashed by content. */
    public static String key(List<String> facts, Path guestKernel) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String fact : facts) {
                sha.update(fact.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            try (InputStream in = Files.newInputStream(guestKernel)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cached result for {@code key}, or the one {@code check} measures now (then stored). */
    public BootCheckResult get(String key, Supplier<BootCheckResult> check) {
        try {
            Files.createDirectories(dir);
            try (FileChannel lockFile = FileChannel.open(dir.resolve("kvm-boot.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                Optional<BootCheckResult> cached = read(key);
                if (cached.isPresent()) {
                    return cached.get();
                }
                BootCheckResult measured = check.get();
                write(key, measured);
                return measured;
            }
        } catch (IOException e) {
            LOG.warn("boot-check cache {} unusable ({}); checking without it", dir, e.toString());
            return check.get();
        }
    }

    private Path file(String key) {
        return dir.resolve("kvm-boot-" + key + ".properties");
    }

    private Optional<BootCheckResult> read(String key) throws IOException {
        Path file = file(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        String booted = p.getProperty("booted");
        String evidence = p.getProperty("evidence");
        String millis = p.getProperty("millis");
        if (booted == null || evidence == null || millis == null) {
            return Optional.empty(); // torn or foreign: measure again
        }
        try {
            return Optional.of(new BootCheckResult(Boolean.parseBoolean(booted), evidence, Long.parseLong(millis), true));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void write(String key, BootCheckResult result) throws IOException {
        Properties p = new Properties();
        p.setProperty("booted", Boolean.toString(result.booted()));
        p.setProperty("evidence", result.evidence());
        p.setProperty("millis", Long.toString(result.millis()));
        Path tmp = Files.createTempFile(dir, "kvm-boot-", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "hvfabric KVM boot check");
        }
        Files.move(tmp, file(key), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
