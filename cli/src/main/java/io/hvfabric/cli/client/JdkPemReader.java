package io.hvfabric.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the client's PEM files with the JDK alone. Netty, given key files, parses them with BouncyCastle first when
 * it is on the classpath: about 700 classes from signed jars, which a CDS archive cannot hold, so every hvctl call
 * paid for loading and verifying them. Anything this reader does not understand is left to Netty.
 */
final class JdkPemReader {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    /** Fabric keys are EC P-256; RSA covers certificates from other CAs. */
    private static final List<String> ALGORITHMS = List.of("EC", "RSA");

    private JdkPemReader() {}

    /** The unencrypted PKCS#8 key in {@code file}, or empty when it is in another form (encrypted, SEC1, ...). */
    static Optional<PrivateKey> pkcs8Key(Path file) throws IOException {
        Matcher pem = PKCS8.matcher(Files.readString(file));
        if (!pem.find()) {
            return Optional.empty();
        }
        PKCS8EncodedKeySpec spec;
        try {
            spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem.group(1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        for (String algorithm : ALGORITHMS) {
            try {
                return Optional.of(KeyFactory.getInstance(algorithm).generatePrivate(spec));
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        return Optional.empty();
    }

    /** Every certificate in {@code file}, leaf first. */
    static X509Certificate[] certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast)
                    .toArray(X509Certificate[]::new);
        }
    }
}
