package io.hvfabric.cli.client;

import java.nio.file.Path;

/** How the CLI protects its connection to the scheduler. */
public sealed interface TransportSecurity {

    /** Mutual TLS: trust {@code ca}, present {@code certificate} with its PKCS#8 {@code key}. */
    record MutualTls(Path ca, Path certificate, Path key) implements TransportSecurity {}

    /** No encryption, no authentication: only when the operator asked with --insecure. */
    record Plaintext() implements TransportSecurity {}
}
