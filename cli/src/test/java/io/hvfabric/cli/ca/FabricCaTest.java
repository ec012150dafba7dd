package io.hvfabric.cli.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class FabricCaTest {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    @TempDir
    Path dir;

    @Test
    void initWritesASelfSignedTenYearCaWithAnOwnerOnlyPkcs8Key() throws Exception {
        FabricCa ca = FabricCa.init(dir);

        X509Certificate cert = PemFiles.readCertificate(dir.resolve("ca.crt"));
        assertThat(cert).isEqualTo(ca.certificate());
        cert.verify(cert.getPublicKey());
        assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(Duration.between(Instant.now(), cert.getNotAfter().toInstant()).toDays()).isBetween(3650L, 3654L);
        assertThat(Files.readString(dir.resolve("ca.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(dir.resolve("ca.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(dir.resolve("ca.crt"))).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(dir.toFile().list()).containsExactlyInAnyOrder("ca.crt", "ca.key");
    }

    @Test
    void initRefusesToReplaceAnExistingCaUnlessForced() throws Exception {
        X509Certificate first = FabricCa.init(dir).certificate();

        assertThatThrownBy(() -> FabricCa.init(dir)).isInstanceOf(FabricCaException.class).hasMessageContaining("--force");
        X509Certificate replaced = FabricCa.init(dir, true).certificate();

        assertThat(replaced).isNotEqualTo(first);
        assertThat(PemFiles.readCertificate(dir.resolve("ca.crt"))).isEqualTo(replaced);
    }

    @Test
    void schedulerCertificateVerifiesAndCarriesRoleSansAndBothUsages() throws Exception {
        FabricCa.init(dir);

        IssuedCertificate issued = FabricCa.load(dir).issue("sched-1", Role.SCHEDULER, List.of("10.0.0.1"), List.of("sched-1.lab"));

        X509Certificate cert = PemFiles.readCertificate(dir.resolve("sched-1.crt"));
        assertThat(cert).isEqualTo(issued.certificate());
        assertThat(issued.keyFile()).isEqualTo(dir.resolve("sched-1.key"));
        assertChainsTo(cert, PemFiles.readCertificate(dir.resolve("ca.crt")));
        X500Principal subject = cert.getSubjectX500Principal();
        assertThat(subject.getName()).contains("CN=sched-1", "OU=scheduler");
        assertThat(sans(cert)).containsExactlyInAnyOrder("sched-1.lab", "localhost", "10.0.0.1", "127.0.0.1");
        assertThat(cert.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(Duration.between(Instant.now(), cert.getNotAfter().toInstant()).toDays()).isBetween(364L, 366L);
        assertThat(Files.readString(issued.keyFile())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(issued.keyFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // The key on disk is the one certified.
        assertThat(PemFiles.readPrivateKey(issued.keyFile()).getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void operatorCertificateIsClientOnlyWithoutLoopbackNames() throws Exception {
        FabricCa ca = FabricCa.init(dir);

        X509Certificate cert = ca.issue("operator", Role.OPERATOR, List.of(), List.of()).certificate();

        assertChainsTo(cert, ca.certificate());
        assertThat(cert.getSubjectX500Principal().getName()).contains("OU=operator");
        assertThat(cert.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
        assertThat(cert.getSubjectAlternativeNames()).isNull();
    }

    @Test
    void ipv6AndDuplicateSansAreHandled() throws Exception {
        FabricCa ca = FabricCa.init(dir);

        X509Certificate cert = ca.issue("agent-1", Role.AGENT, List.of("::1", "127.0.0.1"), List.of("LOCALHOST")).certificate();

        assertThat(sans(cert)).containsExactlyInAnyOrder("localhost", "127.0.0.1", InetAddress.getByName("::1").getHostAddress());
    }

    @Test
    void badInputNamesTheFieldAndTheRule() {
        FabricCa ca = FabricCa.init(dir);

        assertThatThrownBy(() -> ca.issue("x", Role.AGENT, List.of("10.0.0.300"), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ip: '10.0.0.300'");
        assertThatThrownBy(() -> ca.issue("x", Role.AGENT, List.of(), List.of("bad_name")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("dns: 'bad_name'");
        assertThatThrownBy(() -> ca.issue("../etc/passwd", Role.AGENT, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("name: ");
        assertThatThrownBy(() -> ca.issue("ca", Role.AGENT, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThat(dir.toFile().list()).containsExactlyInAnyOrder("ca.crt", "ca.key");
    }

    @Test
    void loadWithoutACaOrWithAForeignKeyFails() throws Exception {
        assertThatThrownBy(() -> FabricCa.load(dir)).isInstanceOf(FabricCaException.class).hasMessageContaining("ca init");

        FabricCa.init(dir);
        Path other = Files.createDirectory(dir.resolve("other"));
        FabricCa.init(other);
        Files.copy(other.resolve("ca.key"), dir.resolve("ca.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> FabricCa.load(dir)).isInstanceOf(FabricCaException.class).hasMessageContaining("does not match");
    }

    @Test
    void aCertificateFromAnotherCaDoesNotChainToThisOne() throws Exception {
        FabricCa ours = FabricCa.init(dir);
        FabricCa theirs = FabricCa.init(Files.createDirectory(dir.resolve("other")));

        X509Certificate foreign = theirs.issue("operator", Role.OPERATOR, List.of(), List.of()).certificate();

        assertThatThrownBy(() -> assertChainsTo(foreign, ours.certificate())).isInstanceOf(Exception.class);
    }

    static void assertChainsTo(X509Certificate leaf, X509Certificate ca) throws Exception {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
    }

    static List<String> sans(X509Certificate cert) throws Exception {
        List<String> values = new ArrayList<>();
        cert.getSubjectAlternativeNames().forEach(entry -> values.add(String.valueOf(entry.get(1))));
        return values;
    }
}
