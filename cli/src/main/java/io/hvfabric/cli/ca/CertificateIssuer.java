package io.hvfabric.cli.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds and signs X.509 certificates: the self-signed fabric CA and the leaf certificates it issues. */
public final class CertificateIssuer {
    static final String ORGANIZATION = "hvfabric";
    /** notBefore is backdated so hosts whose clocks lag a little still accept fresh certificates. */
    private static final Duration CLOCK_SKEW = Duration.ofHours(1);
    private static final int CA_VALIDITY_YEARS = 10;
    private static final int LEAF_VALIDITY_YEARS = 1;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate caCertificate;
    private final PrivateKey caKey;
    private final Clock clock;

    public CertificateIssuer(X509Certificate caCertificate, PrivateKey caKey, Clock clock) {
        this.caCertificate = Objects.requireNonNull(caCertificate, "caCertificate");
        this.caKey = Objects.requireNonNull(caKey, "caKey");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A self-signed CA certificate valid for ten years, allowed to sign leaf certificates only. */
    public static X509Certificate selfSignedCa(KeyPair keyPair, String commonName, Clock clock) {
        Instant now = clock.instant();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, ORGANIZATION)
                .addRDN(BCStyle.CN, commonName)
                .build();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            subject, serial(), Date.from(now.minus(CLOCK_SKEW)),
                            Date.from(plusYears(now, CA_VALIDITY_YEARS)), subject, keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
            return sign(builder, keyPair.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build the CA certificate", e);
        }
    }

    /**
     * A leaf certificate for {@code name}: CN=name, OU=role, SANs from ips and dns names (plus the
     * loopback names for server roles), valid for one year but never beyond the CA itself.
     */
    public X509Certificate issue(String name, Role role, PublicKey subjectKey, List<String> ips, List<String> dnsNames) {
        if (role == Role.TENANT) {
            throw new IllegalArgumentException("tenant: a tenant certificate must name its tenant (--tenant)");
        }
        return issue(name, role, subjectKey, SubjectAltNames.of(role, ips, dnsNames).toGeneralNames());
    }

    /** A tenant's certificate for user {@code name}: OU=tenant and the URI SAN naming {@code tenant} and the user. */
    public X509Certificate issueTenant(String name, String tenant, PublicKey subjectKey) {
        TenantIdentity.requireValidTenant(tenant);
        return issue(name, Role.TENANT, subjectKey, new GeneralNames(
                new GeneralName(GeneralName.uniformResourceIdentifier, TenantIdentity.uri(tenant, name))));
    }

    private X509Certificate issue(String name, Role role, PublicKey subjectKey, GeneralNames sans) {
        CertificateNames.requireValidName(name);
        Instant now = clock.instant();
        Instant notAfter = plusYears(now, LEAF_VALIDITY_YEARS);
        if (notAfter.isAfter(caCertificate.getNotAfter().toInstant())) {
            notAfter = caCertificate.getNotAfter().toInstant();
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, ORGANIZATION)
                .addRDN(BCStyle.OU, role.label())
                .addRDN(BCStyle.CN, name)
                .build();
        KeyPurposeId[] purposes = role.servesTls()
                ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
                : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth};
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            caCertificate, serial(), Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter),
                            subject, subjectKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(subjectKey))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(caCertificate));
            if (sans.getNames().length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, sans);
            }
            return sign(builder, caKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build the certificate for '" + name + "'", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(signingKey)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot create a " + KeyPairs.SIGNATURE_ALGORITHM + " signer", e);
        }
    }

    /** Random positive 127-bit serials: unique without keeping a serial counter on disk. */
    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).setBit(0);
    }

    private static Instant plusYears(Instant instant, int years) {
        return instant.atOffset(ZoneOffset.UTC).plusYears(years).toInstant();
    }
}
