package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.IssuedCertificate;
import io.hvfabric.cli.ca.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GnutlsPrivateKeyTest {
    @TempDir
    Path tmp;
    private IssuedCertificate hostA;
    private IssuedCertificate hostB;

    @BeforeEach
    void issue() {
        FabricCa ca = FabricCa.init(tmp);
        hostA = ca.issue("host-a", Role.AGENT, List.of("127.0.0.1"), List.of());
        hostB = ca.issue("host-b", Role.AGENT, List.of("127.0.0.1"), List.of());
    }

    private static byte[] der(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    @Test
    void javaEcKeyGainsThePublicKeyFromItsCertificate() throws Exception {
        byte[] original = der(Files.readString(hostA.keyFile()));
        String pem = GnutlsPrivateKey.pemFor(hostA.keyFile(), hostA.certificateFile());
        byte[] completed = der(pem);

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(completed.length).isGreaterThan(original.length + 65);
        KeyFactory ec = KeyFactory.getInstance("EC");
        ECPrivateKey before = (ECPrivateKey) ec.generatePrivate(new PKCS8EncodedKeySpec(original));
        ECPrivateKey after = (ECPrivateKey) ec.generatePrivate(new PKCS8EncodedKeySpec(completed));
        assertThat(after.getS()).isEqualTo(before.getS());
        ECPublicKey pub = (ECPublicKey) hostA.certificate().getPublicKey();
        byte[] x = pub.getW().getAffineX().toByteArray();
        assertThat(indexOf(completed, last32(x))).as("public X inside the key").isPositive();
    }

    @Test
    void aCompletedKeyIsLeftAsItIs() throws Exception {
        byte[] once = der(GnutlsPrivateKey.pemFor(hostA.keyFile(), hostA.certificateFile()));
        assertThat(GnutlsPrivateKey.withPublicKey(once, hostA.certificate())).isSameAs(once);
    }

    @Test
    void opensslAcceptsTheCompletedKeyWhenAvailable() throws Exception {
        Path out = tmp.resolve("completed.pem");
        Files.writeString(out, GnutlsPrivateKey.pemFor(hostA.keyFile(), hostA.certificateFile()));
        Process p;
        try {
            p = new ProcessBuilder("openssl", "pkey", "-in", out.toString(), "-check", "-noout").redirectErrorStream(true).start();
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("openssl not installed");
            return;
        }
        String said = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(said).isZero();
        assertThat(said).contains("valid");
    }

    @Test
    void aKeyWithSomeoneElsesCertificateIsRefused() {
        assertThatThrownBy(() -> GnutlsPrivateKey.pemFor(hostA.keyFile(), hostB.certificateFile()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not belong");
    }

    @Test
    void nonPkcs8PemPassesThrough() throws Exception {
        Path rsaLike = Files.writeString(tmp.resolve("sec1.pem"), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertThat(GnutlsPrivateKey.pemFor(rsaLike, hostA.certificateFile())).isEqualTo(Files.readString(rsaLike));
    }

    private static byte[] last32(byte[] v) {
        return java.util.Arrays.copyOfRange(v, v.length - 32, v.length);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
