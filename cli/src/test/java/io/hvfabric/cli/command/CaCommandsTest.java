package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.cli.ca.PemFiles;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class CaCommandsTest {
    @TempDir
    Path dir;

    @Test
    void initThenIssueProducesACertificateThatVerifiesWithItsSans() throws Exception {
        CliRun init = hvctl("ca", "init", "--dir", dir.toString());
        CliRun issue = hvctl("ca", "issue", "agent-1", "--dir", dir.toString(), "--role", "agent",
                "--ip", "10.1.0.2", "--ip", "10.1.0.3", "--dns", "agent-1.lab");

        assertThat(init.exitCode()).isZero();
        assertThat(init.stdout()).startsWith("created CA");
        assertThat(issue.exitCode()).isZero();
        assertThat(issue.stdout()).contains("agent-1.crt", "agent-1.key", "agent");
        X509Certificate ca = PemFiles.readCertificate(dir.resolve("ca.crt"));
        X509Certificate cert = PemFiles.readCertificate(dir.resolve("agent-1.crt"));
        cert.verify(ca.getPublicKey());
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=agent-1", "OU=agent");
        List<String> sans = new ArrayList<>();
        cert.getSubjectAlternativeNames().forEach(entry -> sans.add(String.valueOf(entry.get(1))));
        assertThat(sans).containsExactlyInAnyOrder("10.1.0.2", "10.1.0.3", "127.0.0.1", "agent-1.lab", "localhost");
    }

    @Test
    void anEtcdCertificateServesAndDialsWithTheLoopbackNamesAndNoFabricRole() throws Exception {
        hvctl("ca", "init", "--dir", dir.toString());

        CliRun issue = hvctl("ca", "issue", "etcd", "--dir", dir.toString(), "--role", "etcd");

        assertThat(issue.exitCode()).as(issue.stderr()).isZero();
        X509Certificate cert = PemFiles.readCertificate(dir.resolve("etcd.crt"));
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=etcd", "OU=etcd");
        // etcd's --peer-client-cert-auth makes a member present its certificate as a client too.
        assertThat(cert.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        List<String> sans = new ArrayList<>();
        cert.getSubjectAlternativeNames().forEach(entry -> sans.add(String.valueOf(entry.get(1))));
        assertThat(sans).containsExactlyInAnyOrder("127.0.0.1", "localhost");
    }

    @Test
    void initTwiceNeedsForce() {
        hvctl("ca", "init", "--dir", dir.toString());

        CliRun again = hvctl("ca", "init", "--dir", dir.toString());
        CliRun forced = hvctl("ca", "init", "--dir", dir.toString(), "--force");

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderrLines()).hasSize(1);
        assertThat(again.stderr()).startsWith("hvctl: a CA already exists in");
        assertThat(forced.exitCode()).isZero();
    }

    @Test
    void issueErrors() {
        CliRun noCa = hvctl("ca", "issue", "x", "--dir", dir.toString(), "--role", "operator");
        hvctl("ca", "init", "--dir", dir.toString());
        CliRun badRole = hvctl("ca", "issue", "x", "--dir", dir.toString(), "--role", "admin");
        CliRun badIp = hvctl("ca", "issue", "x", "--dir", dir.toString(), "--role", "agent", "--ip", "nope");

        assertThat(noCa.exitCode()).isEqualTo(1);
        assertThat(noCa.stderrLines()).hasSize(1);
        assertThat(noCa.stderr()).contains("no CA in");
        assertThat(badRole.exitCode()).isEqualTo(2);
        assertThat(badRole.stderrLines()).hasSize(1);
        assertThat(badRole.stderr()).contains("--role", "admin");
        assertThat(badIp.exitCode()).isEqualTo(2);
        assertThat(badIp.stderrLines()).containsExactly("hvctl: ip: 'nope' is not an IPv4 or IPv6 address literal");
    }

    private static CliRun hvctl(String... args) {
        return InProcessScheduler.runWith((endpoint, security) -> {
            throw new AssertionError("ca commands must not connect");
        }, Map.of(), args);
    }
}
