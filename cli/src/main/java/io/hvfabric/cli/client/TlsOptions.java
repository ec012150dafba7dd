package io.hvfabric.cli.client;

import java.nio.file.Path;

/** The TLS-related flags as given on the command line; any may be null. */
public record TlsOptions(Path ca, Path certificate, Path key, Path dir, boolean insecure) {
    boolean anyTlsFlag() {
        return ca != null || certificate != null || key != null || dir != null;
    }
}
