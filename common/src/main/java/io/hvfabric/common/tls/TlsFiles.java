package io.hvfabric.common.tls;

import io.hvfabric.common.error.FabricException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The PEM files of one fabric component: the fabric CA certificate (the only trust anchor), the component's own
 * certificate and its private key. The key must be PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), RSA or EC.
 */
public record TlsFiles(Path ca, Path cert, Path key) {
    public TlsFiles {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
    }

    /** {@code dir/ca.crt}, {@code dir/<name>.crt}, {@code dir/<name>.key}; fails if any is missing or unreadable. */
    public static TlsFiles inDir(Path dir, String name) {
        if (name == null || name.isBlank()) {
            throw FabricException.invalidArgument("tls name", "must not be blank");
        }
        return new TlsFiles(dir.resolve("ca.crt"), dir.resolve(name + ".crt"), dir.resolve(name + ".key"))
                .requireReadable();
    }

    /** Returns this after checking each file is a readable regular file, naming the first that is not. */
    public TlsFiles requireReadable() {
        requireReadable("tls ca", ca);
        requireReadable("tls cert", cert);
        requireReadable("tls key", key);
        return this;
    }

    private static void requireReadable(String field, Path file) {
        if (!Files.isRegularFile(file)) {
            throw FabricException.invalidArgument(field, "file %s does not exist or is not a regular file", file);
        }
        if (!Files.isReadable(file)) {
            throw FabricException.invalidArgument(field, "file %s is not readable", file);
        }
    }
}
