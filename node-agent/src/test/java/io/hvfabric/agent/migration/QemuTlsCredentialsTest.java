package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.migration.QemuTlsCredentials.Endpoint;
import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.Role;
import io.hvfabric.common.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QemuTlsCredentialsTest {
    @TempDir
    Path tmp;
    private Path runDir;
    private TlsFiles agentTls;
    private TlsFiles migrationTls;

    /** An agent's --tls-dir as the lab fills it: the CA, the agent's gRPC pair and the host's migration pair. */
    @BeforeEach
    void agentFiles() throws Exception {
        Path tlsDir = Files.createDirectories(tmp.resolve("tls"));
        FabricCa ca = FabricCa.init(tlsDir);
        ca.issue("host-a", Role.AGENT, List.of("10.0.0.1"), List.of());
        ca.issue("host-a", Role.MIGRATION, List.of("10.0.0.1"), List.of());
        agentTls = TlsFiles.inDir(tlsDir, "host-a");
        migrationTls = MigrationTls.besideAgent(agentTls, "host-a").requireReadable();
        runDir = Files.createDirectories(tmp.resolve("run/vm1"));
    }

    @Test
    void serverDirectoryHoldsCaAndTheMigrationPairUnderQemusNames() throws Exception {
        QemuTlsCredentials creds = QemuTlsCredentials.prepare(runDir, "hvf-tls-in", Endpoint.SERVER, migrationTls);

        assertThat(creds.dir().getParent()).isEqualTo(runDir);
        assertThat(creds.dir().getFileName().toString()).startsWith("hvf-tls-in-");
        assertThat(creds.dir().resolve("ca-cert.pem")).hasSameBinaryContentAs(migrationTls.ca());
        assertThat(creds.dir().resolve("server-cert.pem")).hasSameBinaryContentAs(migrationTls.cert());
        assertThat(creds.dir().resolve("server-key.pem"))
                .hasContent(GnutlsPrivateKey.pemFor(migrationTls.key(), migrationTls.cert()));
        assertThat(creds.dir().resolve("client-key.pem")).doesNotExist();
        // A fixed group: without it QEMU generates DH parameters on every object-add (0.8 s of CPU).
        assertThat(Files.readString(creds.dir().resolve("dh-params.pem"))).startsWith("-----BEGIN DH PARAMETERS-----");
        // QEMU may open the files by name, not list the directory or change its entries.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(creds.dir()))).isEqualTo("rwx--x--x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(creds.dir().resolve("server-key.pem"))))
                .isEqualTo("rw-------");
        assertThat(Files.getOwner(creds.dir().resolve("server-key.pem"))).isEqualTo(Files.getOwner(runDir));
    }

    @Test
    void noFileQemuCanReadHoldsTheAgentsOwnKey() throws Exception {
        QemuTlsCredentials server = QemuTlsCredentials.prepare(runDir, "hvf-tls-in", Endpoint.SERVER, migrationTls);
        QemuTlsCredentials client = QemuTlsCredentials.prepare(runDir, "hvf-tls-out", Endpoint.CLIENT, migrationTls);
        String agentKey = Files.readString(agentTls.key());
        String agentKeyForGnutls = GnutlsPrivateKey.pemFor(agentTls.key(), agentTls.cert());

        List<Path> readable = new ArrayList<>();
        try (Stream<Path> files = Files.walk(runDir)) {
            files.filter(Files::isRegularFile).forEach(readable::add);
        }
        assertThat(readable).hasSize(7); // ca, cert, key twice, and the server's DH parameters
        for (Path file : readable) {
            assertThat(Files.readString(file)).as(file.toString()).doesNotContain(agentKey.trim())
                    .doesNotContain(agentKeyForGnutls.trim());
        }
        assertThat(server.dir().resolve("server-cert.pem")).hasSameBinaryContentAs(migrationTls.cert());
        assertThat(client.dir().resolve("client-cert.pem")).hasSameBinaryContentAs(migrationTls.cert());
    }

    @Test
    void clientDirectoryHoldsClientPair() throws Exception {
        QemuTlsCredentials creds = QemuTlsCredentials.prepare(runDir, "hvf-tls-out", Endpoint.CLIENT, migrationTls);
        assertThat(creds.dir().resolve("client-cert.pem")).hasSameBinaryContentAs(migrationTls.cert());
        assertThat(creds.dir().resolve("client-key.pem")).exists();
        assertThat(creds.dir().resolve("server-cert.pem")).doesNotExist();
        assertThat(creds.dir().resolve("dh-params.pem")).doesNotExist();
    }

    @Test
    void objectAddArgumentsVerifyThePeer() throws Exception {
        QemuTlsCredentials creds = QemuTlsCredentials.prepare(runDir, "hvf-tls-out", Endpoint.CLIENT, migrationTls);
        assertThat(creds.objectAddArguments())
                .containsEntry("qom-type", "tls-creds-x509")
                .containsEntry("id", "hvf-tls-out")
                .containsEntry("dir", creds.dir().toString())
                .containsEntry("endpoint", "client")
                .containsEntry("verify-peer", true);
    }

    @Test
    void deleteRemovesTheFilesAndTheDirectoryOnly() throws Exception {
        Files.writeString(runDir.resolve("console.log"), "boot");
        QemuTlsCredentials creds = QemuTlsCredentials.prepare(runDir, "hvf-tls-in", Endpoint.SERVER, migrationTls);

        creds.deleteFiles();
        creds.deleteFiles(); // idempotent

        assertThat(creds.dir()).doesNotExist();
        try (Stream<Path> left = Files.list(runDir)) {
            assertThat(left).containsExactly(runDir.resolve("console.log"));
        }
    }

    /** What a compromised QEMU (owner of the run directory) could try: swap the directory for a link. */
    @Test
    void aDirectorySwappedForALinkNeverMakesTheAgentDeleteWhatItPointsAt() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(elsewhere.resolve("ca-cert.pem"), "not the agent's to delete");
        Files.writeString(elsewhere.resolve("server-key.pem"), "not the agent's to delete");
        QemuTlsCredentials creds = QemuTlsCredentials.prepare(runDir, "hvf-tls-in", Endpoint.SERVER, migrationTls);
        Path movedAway = runDir.resolve("moved");
        Files.move(creds.dir(), movedAway);
        Files.createSymbolicLink(creds.dir(), elsewhere);

        creds.deleteFiles();

        assertThat(elsewhere.resolve("ca-cert.pem")).hasContent("not the agent's to delete");
        assertThat(elsewhere.resolve("server-key.pem")).hasContent("not the agent's to delete");
        assertThat(creds.dir()).as("the link itself goes").doesNotExist();
        try (Stream<Path> left = Files.list(movedAway)) {
            assertThat(left).as("the key copies went through the directory handle").isEmpty();
        }
    }

    @Test
    void objectIdsThatQemuWouldRejectOrThatEscapeTheRunDirAreRefused() {
        for (String bad : new String[] {"", "1abc", "../etc", "a,b", "a b"}) {
            assertThatThrownBy(() -> QemuTlsCredentials.prepare(runDir, bad, Endpoint.SERVER, migrationTls))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("objectId");
        }
    }

    @Test
    void missingRunDirIsNamed() {
        assertThatThrownBy(() -> QemuTlsCredentials.prepare(tmp.resolve("nope"), "hvf-tls-in", Endpoint.SERVER,
                migrationTls))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("runDir");
    }
}
