package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.migration.QemuTlsCredentials.Endpoint;
import io.hvfabric.common.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class QemuTlsCredentialsTest {
    @TempDir
    Path tmp;
    private Path runDir;
    private TlsFiles agentTls;

    @BeforeEach
    void agentFiles() throws Exception {
        Path tlsDir = Files.createDirectories(tmp.resolve("tls"));
        Files.writeString(tlsDir.resolve("ca.crt"), "CA PEM");
        Files.writeString(tlsDir.resolve("host-a.crt"), "CERT PEM");
        Files.writeString(tlsDir.resolve("host-a.key"), "KEY PEM");
        agentTls = TlsFiles.inDir(tlsDir, "host-a");
        runDir = Files.createDirectories(tmp.resolve("run/vm1"));
    }

    @Test
    void serverDirectoryHoldsCaAndServerPairUnderQemusNames() throws Exception {
        QemuTlsCredentials creds = QemuTlsCredentials.prepare(runDir, "hvf-tls-in", Endpoint.SERVER, agentTls);

        assertThat(creds.dir()).isEqualTo(runDir.resolve("hvf-tls-in"));
        assertThat(creds.dir().resolve("ca-cert.pem")).hasContent("CA PEM");
        assertThat(creds.dir().resolve("server-cert.pem")).hasContent("CERT PEM");
        assertThat(creds.dir().resolve("server-key.pem")).hasContent("KEY PEM");
        assertThat(creds.dir().resolve("client-key.pem")).doesNotExist();
        // A fixed group: without it QEMU generates DH parameters on every object-add (0.8 s of CPU).
        assertThat(Files.readString(creds.dir().resolve("dh-params.pem"))).startsWith("-----BEGIN DH PARAMETERS-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(creds.dir()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(creds.dir().resolve("server-key.pem"))))
                .isEqualTo("rw-------");
        assertThat(Files.getOwner(creds.dir().resolve("server-key.pem"))).isEqualTo(Files.getOwner(runDir));
    }

    @Test
    void clientDirectoryHoldsClientPair() throws Exception {
        QemuTlsCredentials creds = QemuTlsCredentials.prepare(runDir, "hvf-tls-out", Endpoint.CLIENT, agentTls);
        assertThat(creds.dir().resolve("client-cert.pem")).hasContent("CERT PEM");
        assertThat(creds.dir().resolve("client-key.pem")).hasContent("KEY PEM");
        assertThat(creds.dir().resolve("server-cert.pem")).doesNotExist();
        assertThat(creds.dir().resolve("dh-params.pem")).doesNotExist();
    }

    @Test
    void objectAddArgumentsVerifyThePeer() throws Exception {
        QemuTlsCredentials creds = QemuTlsCredentials.prepare(runDir, "hvf-tls-out", Endpoint.CLIENT, agentTls);
        assertThat(creds.objectAddArguments())
                .containsEntry("qom-type", "tls-creds-x509")
                .containsEntry("id", "hvf-tls-out")
                .containsEntry("dir", creds.dir().toString())
                .containsEntry("endpoint", "client")
                .containsEntry("verify-peer", true);
    }

    @Test
    void preparingAgainReplacesStaleFilesAndDeleteRemovesThem() throws Exception {
        Path stale = Files.createDirectories(runDir.resolve("hvf-tls-in")).resolve("client-key.pem");
        Files.writeString(stale, "old");
        QemuTlsCredentials creds = QemuTlsCredentials.prepare(runDir, "hvf-tls-in", Endpoint.SERVER, agentTls);
        assertThat(stale).doesNotExist();

        creds.deleteFiles();
        assertThat(creds.dir()).doesNotExist();
        assertThat(runDir).isDirectory();
    }

    @Test
    void objectIdsThatQemuWouldRejectOrThatEscapeTheRunDirAreRefused() {
        for (String bad : new String[] {"", "1abc", "../etc", "a,b", "a b"}) {
            assertThatThrownBy(() -> QemuTlsCredentials.prepare(runDir, bad, Endpoint.SERVER, agentTls))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("objectId");
        }
    }

    @Test
    void missingRunDirIsNamed() {
        assertThatThrownBy(() -> QemuTlsCredentials.prepare(tmp.resolve("nope"), "hvf-tls-in", Endpoint.SERVER, agentTls))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("runDir");
    }
}
