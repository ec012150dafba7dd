package io.hvfabric.agent.migration;

import io.hvfabric.common.tls.TlsFiles;
import java.util.Optional;

/** The rule both roles apply: memory travels in plaintext only between agents started with {@code --insecure}. */
final class MigrationTls {
    private MigrationTls() {}

    static void requireAllowed(boolean requested, Optional<TlsFiles> agentTls) {
        if (requested && agentTls.isEmpty()) {
            throw new IllegalArgumentException("tls: requested, but this agent runs with --insecure and has no certificates");
        }
        if (!requested && agentTls.isPresent()) {
            throw new IllegalArgumentException("tls: must be true; plaintext migration is allowed only between agents "
                    + "started with --insecure");
        }
    }
}
