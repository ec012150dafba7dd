package io.hvfabric.scheduler.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.proto.v1.AuditPrincipal;
import io.hvfabric.proto.v1.RevokeCertificateRequest;
import io.hvfabric.proto.v1.RevokedCertificate;
import io.hvfabric.scheduler.store.Times;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class RevocationRequestTest {
    private static final Instant NOT_AFTER = Instant.parse("2027-01-31T12:00:00Z");
    private static final Instant AT = Instant.parse("2026-02-01T08:30:00Z");

    @Test
    void aPemNamesItsSerialItsSubjectAndItsExpiry() throws Exception {
        X509Certificate alice = certificate(new BigInteger("5a3f09", 16), "CN=alice,OU=tenant,O=hvfabric");
        RevocationRequest asked = RevocationRequest.of(RevokeCertificateRequest.newBuilder().setPem(pem(alice))
                .setReason("laptop stolen").build());

        assertThat(asked.serial()).isEqualTo(new CertificateSerial("5a3f09"));
        assertThat(asked.subject()).isEqualTo(alice.getSubjectX500Principal().getName()).contains("CN=alice",
                "OU=tenant");
        assertThat(asked.notAfter()).contains(NOT_AFTER);
        assertThat(asked.reason()).isEqualTo("laptop stolen");
    }

    @Test
    void aSerialAloneNamesOnlyTheSerial() {
        RevocationRequest asked = RevocationRequest.of(RevokeCertificateRequest.newBuilder().setSerial("5A:3F:09")
                .build());

        assertThat(asked).isEqualTo(new RevocationRequest(new CertificateSerial("5a3f09"), "", Optional.empty(), ""));
    }

    @Test
    void theRecordSaysWhoRevokedItWhenAndWhere() throws Exception {
        X509Certificate sched9 = certificate(BigInteger.valueOf(77), "CN=sched-9,OU=scheduler");
        RevokedCertificate record = RevocationRequest.of(RevokeCertificateRequest.newBuilder().setPem(pem(sched9))
                        .setReason("key on a lost disk").build())
                .record(Peer.authenticated("bob", "operator"), AT, "sched-2");

        assertThat(record).isEqualTo(RevokedCertificate.newBuilder().setSerial("4d")
                .setSubject(sched9.getSubjectX500Principal().getName())
                .setNotAfter(Times.timestamp(NOT_AFTER)).setReason("key on a lost disk")
                .setRevokedBy(AuditPrincipal.newBuilder().setRole("operator").setName("bob"))
                .setRevokedAt(Times.timestamp(AT)).setReplica("sched-2").build());
    }

    @Test
    void aRequestNamingNoCertificateIsRefusedNamingTheField() {
        assertInvalid(RevokeCertificateRequest.getDefaultInstance(),
                "field 'certificate': must name the certificate: its PEM (pem) or its serial number (serial)");
        assertInvalid(RevokeCertificateRequest.newBuilder().setSerial("").build(),
                "field 'serial': must be the serial number in hex: 1-40 hex digits, optionally with colons between "
                        + "bytes as openssl prints them (got '')");
        assertInvalid(RevokeCertificateRequest.newBuilder().setPem("-----BEGIN PRIVATE KEY-----\nAAAA\n").build(),
                "field 'pem': must be a PEM X.509 certificate (-----BEGIN CERTIFICATE-----); a key or a request is no "
                        + "certificate");
        assertInvalid(RevokeCertificateRequest.newBuilder()
                        .setPem("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n").build(),
                "field 'pem': must be a PEM X.509 certificate; it does not parse");
        assertInvalid(RevokeCertificateRequest.newBuilder().setPem("x".repeat(RevocationRequest.MAX_PEM + 1)).build(),
                "field 'pem': must be at most 16384 characters, one certificate (got 16385)");
    }

    @Test
    void theReasonIsShortPrintableAscii() {
        assertInvalid(RevokeCertificateRequest.newBuilder().setSerial("5a").setReason("a".repeat(201)).build(),
                "field 'reason': must be at most 200 characters (got 201)");
        assertInvalid(RevokeCertificateRequest.newBuilder().setSerial("5a").setReason("stolen\nrm -rf").build(),
                "field 'reason': must be printable ASCII (0x20-0x7e), without control characters (got U+000A at "
                        + "index 6)");
    }

    @Test
    void theAuditNamesTheSerialOrNothingWhenThereIsNone() throws Exception {
        assertThat(RevocationRequest.serialNamed(RevokeCertificateRequest.newBuilder().setSerial("00:5A").build()))
                .isEqualTo("5a");
        assertThat(RevocationRequest.serialNamed(RevokeCertificateRequest.newBuilder()
                .setPem(pem(certificate(BigInteger.TEN, "CN=x,OU=operator"))).build())).isEqualTo("a");
        assertThat(RevocationRequest.serialNamed(RevokeCertificateRequest.newBuilder().setSerial("zz").build()))
                .isEmpty();
    }

    private static void assertInvalid(RevokeCertificateRequest request, String message) {
        assertThatThrownBy(() -> RevocationRequest.of(request)).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    private static X509Certificate certificate(BigInteger serial, String subject) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name(subject);
        var builder = new JcaX509v3CertificateBuilder(name, serial, Date.from(AT.minusSeconds(3600)),
                Date.from(NOT_AFTER), name, keys.getPublic());
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    private static String pem(X509Certificate certificate) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(certificate);
        }
        return out.toString();
    }
}
