package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.cli.ca.PemFiles;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import java.nio.file.Files;
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
    void aMigrationCertificateSitsBesideTheAgentPairAndNamesOnlyTheHostsIp() throws Exception {
        hvctl("ca", "init", "--dir", dir.toString());
        hvctl("ca", "issue", "host-1", "--dir", dir.toString(), "--role", "agent", "--ip", "10.1.0.2");
        byte[] agentCert = Files.readAllBytes(dir.resolve("host-1.crt"));

        CliRun issue = hvctl("ca", "issue", "host-1", "--dir", dir.toString(), "--role", "migration",
                "--ip", "10.1.0.2");
        CliRun noIp = hvctl("ca", "issue", "host-2", "--dir", dir.toString(), "--role", "migration");

        assertThat(issue.exitCode()).as(issue.stderr()).isZero();
        assertThat(issue.stdout()).contains("host-1-migration.crt", "host-1-migration.key", "migration");
        assertThat(dir.resolve("host-1.crt")).as("the agent's pair is untouched").hasBinaryContent(agentCert);
        X509Certificate cert = PemFiles.readCertificate(dir.resolve("host-1-migration.crt"));
        cert.verify(PemFiles.readCertificate(dir.resolve("ca.crt")).getPublicKey());
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=host-1,OU=migration,O=hvfabric");
        // QEMU is the TLS server on the target and the client on the source.
        assertThat(cert.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        List<String> sans = new ArrayList<>();
        cert.getSubjectAlternativeNames().forEach(entry -> sans.add(String.valueOf(entry.get(1))));
        assertThat(sans).containsExactly("10.1.0.2");
        assertThat(noIp.exitCode()).isEqualTo(2);
        assertThat(noIp.stderrLines()).singleElement().asString().startsWith("hvctl: ip: a migration certificate needs");
    }

    @Test
    void aTenantCertificateNamesItsTenantInItsSpiffeUriAndOnlyConnects() throws Exception {
        hvctl("ca", "init", "--dir", dir.toString());

        CliRun issue = hvctl("ca", "issue", "alice", "--dir", dir.toString(), "--role", "tenant", "--tenant", "acme");

        assertThat(issue.exitCode()).as(issue.stderr()).isZero();
        assertThat(issue.stdout()).contains("alice.crt", "tenant", "spiffe://hvfabric/tenant/acme/user/alice");
        X509Certificate cert = PemFiles.readCertificate(dir.resolve("alice.crt"));
        cert.verify(PemFiles.readCertificate(dir.resolve("ca.crt")).getPublicKey());
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=alice", "OU=tenant");
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(
                List.of(6, "spiffe://hvfabric/tenant/acme/user/alice"));
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    }

    @Test
    void theTenantOptionGoesWithTheTenantRoleOnly() {
        hvctl("ca", "init", "--dir", dir.toString());

        CliRun noTenant = hvctl("ca", "issue", "alice", "--dir", dir.toString(), "--role", "tenant");
        CliRun notATenant = hvctl("ca", "issue", "bob", "--dir", dir.toString(), "--role", "operator", "--tenant", "acme");
        CliRun badTenant = hvctl("ca", "issue", "alice", "--dir", dir.toString(), "--role", "tenant", "--tenant", "Acme");
        CliRun withIp = hvctl("ca", "issue", "alice", "--dir", dir.toString(), "--role", "tenant", "--tenant", "acme",
                "--ip", "10.0.0.1");

        assertThat(noTenant.exitCode()).isEqualTo(2);
        assertThat(noTenant.stderrLines()).containsExactly("hvctl: --tenant: required with --role tenant");
        assertThat(notATenant.exitCode()).isEqualTo(2);
        assertThat(notATenant.stderrLines()).containsExactly("hvctl: --tenant: only with --role tenant");
        assertThat(badTenant.exitCode()).isEqualTo(2);
        assertThat(badTenant.stderrLines()).containsExactly("hvctl: tenant: must be a DNS label (1-63 lowercase letters,"
                + " digits or '-', starting and ending with a letter or digit), got 'Acme'");
        assertThat(withIp.exitCode()).isEqualTo(2);
        assertThat(withIp.stderrLines())
                .containsExactly("hvctl: --ip/--dns: a tenant certificate names no addresses (it only connects)");
        assertThat(Files.exists(dir.resolve("alice.crt"))).isFalse();
        assertThat(Files.exists(dir.resolve("bob.crt"))).isFalse();
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
