package io.hvfabric.scheduler.grpc;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerTransportFilter;
import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.common.tls.TenantUri;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes every connection to an in-process server look like a mutual-TLS session whose client presented a certificate
 * with the given subject, so the real {@code PeerIdentity} interceptor derives the caller from it, as it does behind
 * the Netty TLS server. (The handshake itself, and refusing foreign CAs, is tested in common's MutualTlsTest.)
 */
final class CertifiedCaller extends ServerTransportFilter {
    /** Each certificate its own serial, as a CA draws them: revoking one caller's must not revoke another's. */
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private final SSLSession session;
    private final CertificateSerial serial;

    private CertifiedCaller(X509Certificate certificate) {
        this.session = sessionPresenting(certificate);
        this.serial = CertificateSerial.of(certificate);
    }

    /** {@code subject} as in a fabric certificate: "CN=h1,OU=agent" (the OU is the role). */
    static CertifiedCaller withSubject(String subject) throws Exception {
        return new CertifiedCaller(selfSigned(subject));
    }

    /** A tenant's certificate as {@code hvctl ca issue USER --role tenant --tenant TENANT} issues it. */
    static CertifiedCaller tenant(String user, String tenant) throws Exception {
        return new CertifiedCaller(selfSigned("CN=" + user + ",OU=tenant,O=hvfabric", TenantUri.of(tenant, user)));
    }

    /** The serial of the certificate this caller presents. */
    CertificateSerial serial() {
        return serial;
    }

    @Override
    public Attributes transportReady(Attributes attributes) {
        return attributes.toBuilder().set(Grpc.TRANSPORT_ATTR_SSL_SESSION, session).build();
    }

    private static X509Certificate selfSigned(String subject, String... uris) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name(subject);
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(Duration.ofDays(1))), name,
                keys.getPublic());
        if (uris.length > 0) {
            GeneralName[] sans = new GeneralName[uris.length];
            for (int i = 0; i < uris.length; i++) {
                sans[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uris[i]);
            }
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        }
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    /** Only the peer's certificate chain is real; the rest of the session answers defaults. */
    private static SSLSession sessionPresenting(X509Certificate certificate) {
        return (SSLSession) Proxy.newProxyInstance(SSLSession.class.getClassLoader(), new Class<?>[] {SSLSession.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getPeerCertificates" -> new Certificate[] {certificate};
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "toString" -> "test TLS session of " + certificate.getSubjectX500Principal();
                    default -> defaultOf(method.getReturnType());
                });
    }

    private static Object defaultOf(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }
}
