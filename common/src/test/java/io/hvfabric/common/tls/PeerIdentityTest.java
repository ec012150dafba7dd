package io.hvfabric.common.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** How a certificate's subject and SANs become a {@link Peer}: name, role and, for tenant certificates, the tenant. */
class PeerIdentityTest {

    @Test
    void aTenantCertificateNamesItsTenantThroughItsSpiffeUri() throws Exception {
        X509Certificate cert = certificate("CN=alice,OU=tenant,O=hvfabric", "spiffe://hvfabric/tenant/acme/user/alice");

        assertThat(PeerIdentity.fromCertificate(cert)).contains(Peer.authenticated("alice", "tenant", "acme"));
    }

    @Test
    void aUriForAnotherUserGivesNoTenant() throws Exception {
        X509Certificate cert = certificate("CN=alice,OU=tenant", "spiffe://hvfabric/tenant/acme/user/bob");

        assertThat(PeerIdentity.fromCertificate(cert)).contains(Peer.authenticated("alice", "tenant", ""));
    }

    @Test
    void twoUrisNamingDifferentTenantsGiveNone() throws Exception {
        X509Certificate cert = certificate("CN=alice,OU=tenant", "spiffe://hvfabric/tenant/acme/user/alice",
                "spiffe://hvfabric/tenant/beta/user/alice");

        assertThat(PeerIdentity.fromCertificate(cert).orElseThrow().hasTenant()).isFalse();
    }

    @Test
    void anotherTrustDomainOrShapeIsNoTenant() throws Exception {
        assertThat(PeerIdentity.fromCertificate(certificate("CN=alice,OU=tenant",
                "spiffe://elsewhere/tenant/acme/user/alice")).orElseThrow().tenant()).isEmpty();
        assertThat(PeerIdentity.fromCertificate(certificate("CN=alice,OU=tenant",
                "spiffe://hvfabric/tenant/ACME/user/alice")).orElseThrow().tenant()).isEmpty();
        assertThat(PeerIdentity.fromCertificate(certificate("CN=alice,OU=tenant",
                "spiffe://hvfabric/tenant/acme/user/alice/extra")).orElseThrow().tenant()).isEmpty();
    }

    @Test
    void onlyTenantCertificatesCarryATenant() throws Exception {
        X509Certificate operator = certificate("CN=alice,OU=operator", "spiffe://hvfabric/tenant/acme/user/alice");

        assertThat(PeerIdentity.fromCertificate(operator)).contains(Peer.authenticated("alice", "operator"));
    }

    @Test
    void theUriFormIsTheOneTheCaWrites() {
        assertThat(TenantUri.of("acme", "alice")).isEqualTo("spiffe://hvfabric/tenant/acme/user/alice");
        assertThat(TenantUri.tenantOf(TenantUri.of("acme", "alice"), "alice")).contains("acme");
    }

    private static X509Certificate certificate(String subject, String... uris) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name(subject);
        GeneralName[] sans = new GeneralName[uris.length];
        for (int i = 0; i < uris.length; i++) {
            sans[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uris[i]);
        }
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(Duration.ofDays(1))), name,
                keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }
}
