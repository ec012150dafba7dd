package io.hvfabric.agent.migration;

import io.hvfabric.common.tls.Peer;
import io.hvfabric.common.tls.PeerIdentity;
import io.hvfabric.common.tls.Roles;
import io.hvfabric.common.tls.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Which certificate a migration's QEMUs get, and the rule both roles apply. QEMU reads its key from the VSI's run
 * directory, where a compromised guest's QEMU can take it, so it gets the host's migration certificate
 * ({@code <host-id>-migration.crt/.key} beside the agent's pair, role migration), never the agent's own gRPC key:
 * no gRPC service of the fabric accepts role migration. Memory travels in plaintext only between agents started with
 * {@code --insecure}.
 */
public final class MigrationTls {
    private static final String SUFFIX = "-" + Roles.MIGRATION;

    private MigrationTls() {}

    /** The migration pair beside the agent's: same CA, {@code <host-id>-migration.crt/.key}; checked when used. */
    public static TlsFiles besideAgent(TlsFiles agent, String hostId) {
        return new TlsFiles(agent.ca(), agent.cert().resolveSibling(hostId + SUFFIX + ".crt"),
                agent.cert().resolveSibling(hostId + SUFFIX + ".key"));
    }

    /**
     * The files this migration's QEMU gets; empty for a plaintext migration.
     *
     * @param migration the host's migration pair; empty only for an agent started with {@code --insecure}
     * @throws IllegalArgumentException TLS requested from an insecure agent, or plaintext from a secure one
     * @throws IllegalStateException the migration certificate is missing, unreadable or of another role
     */
    static Optional<TlsFiles> forMigration(boolean requested, Optional<TlsFiles> migration) {
        if (requested && migration.isEmpty()) {
            throw new IllegalArgumentException("tls: requested, but this agent runs with --insecure and has no certificates");
        }
        if (!requested && migration.isPresent()) {
            throw new IllegalArgumentException("tls: must be true; plaintext migration is allowed only between agents "
                    + "started with --insecure");
        }
        if (migration.isPresent()) {
            problem(migration.get()).ifPresent(p -> {
                throw new IllegalStateException(p);
            });
        }
        return migration;
    }

    /** Why {@code files} cannot serve a migration, if they cannot: one line naming the file and the remedy. */
    public static Optional<String> problem(TlsFiles files) {
        for (Path p : new Path[] {files.ca(), files.cert(), files.key()}) {
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                return Optional.of("no migration certificate: " + p + " is missing or unreadable; issue the host's with "
                        + "'hvctl ca issue <host-id> --role migration --ip <host IP>' into the agent's --tls-dir "
                        + "(QEMU never gets the agent's own key)");
            }
        }
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(files.cert())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            return Optional.of("migration certificate " + files.cert() + " is not a PEM X.509 certificate: "
                    + e.getMessage());
        }
        // A copy of the agent's own pair under this name would hand QEMU the gRPC key again.
        String role = PeerIdentity.fromCertificate(cert).map(Peer::role).orElse("");
        if (!Roles.MIGRATION.equals(role)) {
            return Optional.of("migration certificate " + files.cert() + " has role '" + role + "', not '"
                    + Roles.MIGRATION + "'; QEMU gets only a certificate issued with --role migration");
        }
        return Optional.empty();
    }
}
