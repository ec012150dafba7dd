package io.hvfabric.agent.migration;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites an EC private key so GnuTLS 3.7 (QEMU's TLS library on Debian 12) can load it. Java writes PKCS#8 EC keys
 * without the optional public key inside the inner ECPrivateKey (RFC 5915); GnuTLS 3.7 insists on it and fails with
 * "ASN1 parser: Element was not found". The public key is taken from the matching certificate and added; everything
 * else (RSA keys, EC keys that already carry it) passes through unchanged.
 */
final class GnutlsPrivateKey {
    private static final Pattern PKCS8_PEM = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int BIT_STRING = 0x03;
    private static final int CONTEXT_1 = 0xA1;

    private GnutlsPrivateKey() {}

    /** The key file's PEM, completed when needed; {@code certFile} holds the key's certificate (first PEM block). */
    static String pemFor(Path keyFile, Path certFile) throws IOException {
        String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        Matcher m = PKCS8_PEM.matcher(pem);
        if (!m.find()) {
            return pem; // SEC1 or RSA PEM: GnuTLS reads those as they are
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(certFile)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException e) {
            throw new IOException("tls cert " + certFile + " is not a PEM X.509 certificate: " + e.getMessage(), e);
        }
        byte[] completed = withPublicKey(der, cert);
        return completed == der ? pem : toPem(completed);
    }

    /** Returns {@code pkcs8} itself when nothing needs adding. */
    static byte[] withPublicKey(byte[] pkcs8, X509Certificate cert) throws IOException {
        if (!(cert.getPublicKey() instanceof ECPublicKey publicKey)) {
            return pkcs8;
        }
        PrivateKey privateKey;
        try {
            privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            return pkcs8; // not an EC key (e.g. RSA): nothing to complete
        }
        requireMatching((ECPrivateKey) privateKey, cert);
        Der outer = Der.read(pkcs8, 0, SEQUENCE);
        Der version = Der.read(pkcs8, outer.contentStart, INTEGER);
        Der algorithm = Der.read(pkcs8, version.end, SEQUENCE);
        Der innerOctets = Der.read(pkcs8, algorithm.end, OCTET_STRING);
        Der inner = Der.read(pkcs8, innerOctets.contentStart, SEQUENCE);
        ByteArrayOutputStream fields = new ByteArrayOutputStream();
        for (int at = inner.contentStart; at < inner.end; ) {
            Der field = Der.read(pkcs8, at, -1);
            if (field.tag == CONTEXT_1) {
                return pkcs8; // already carries its public key
            }
            fields.write(pkcs8, field.start, field.end - field.start);
            at = field.end;
        }
        byte[] point = uncompressedPoint(publicKey);
        byte[] bitString = tlv(BIT_STRING, concat(new byte[] {0}, point));
        fields.write(tlv(CONTEXT_1, bitString));
        byte[] newInner = tlv(SEQUENCE, fields.toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(pkcs8, version.start, version.end - version.start);
        out.write(pkcs8, algorithm.start, algorithm.end - algorithm.start);
        out.write(tlv(OCTET_STRING, newInner));
        return tlv(SEQUENCE, out.toByteArray());
    }

    /** A signature made with the key must verify with the certificate: a mismatched pair is named here, not in QEMU. */
    private static void requireMatching(ECPrivateKey key, X509Certificate cert) throws IOException {
        try {
            byte[] probe = "hvfabric key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(key);
            signer.update(probe);
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signer.sign())) {
                throw new IOException("tls key does not belong to tls cert (" + cert.getSubjectX500Principal() + ")");
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot check the tls key against its certificate: " + e.getMessage(), e);
        }
    }

    private static byte[] uncompressedPoint(ECPublicKey key) {
        int size = (key.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        return concat(new byte[] {4}, concat(fixed(key.getW().getAffineX(), size), fixed(key.getW().getAffineY(), size)));
    }

    private static byte[] fixed(BigInteger v, int size) {
        byte[] raw = v.toByteArray();
        if (raw.length == size) {
            return raw;
        }
        byte[] out = new byte[size];
        int copy = Math.min(raw.length, size);
        System.arraycopy(raw, raw.length - copy, out, size - copy, copy);
        return out;
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            byte[] len = BigInteger.valueOf(n).toByteArray();
            int skip = len[0] == 0 ? 1 : 0;
            out.write(0x80 | (len.length - skip));
            out.write(len, skip, len.length - skip);
        }
        out.write(content, 0, n);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String toPem(byte[] der) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** One DER element: where it starts, where its content starts, where it ends. */
    private record Der(int tag, int start, int contentStart, int end) {
        static Der read(byte[] b, int at, int expectedTag) throws IOException {
            if (at + 2 > b.length) {
                throw new IOException("tls key: truncated DER at offset " + at);
            }
            int tag = b[at] & 0xFF;
            if (expectedTag >= 0 && tag != expectedTag) {
                throw new IOException(String.format("tls key: expected DER tag 0x%02x at offset %d, found 0x%02x",
                        expectedTag, at, tag));
            }
            int first = b[at + 1] & 0xFF;
            int length;
            int contentStart;
            if (first < 0x80) {
                length = first;
                contentStart = at + 2;
            } else {
                int n = first & 0x7F;
                if (n == 0 || n > 3 || at + 2 + n > b.length) {
                    throw new IOException("tls key: unsupported DER length at offset " + at);
                }
                length = 0;
                for (int i = 0; i < n; i++) {
                    length = (length << 8) | (b[at + 2 + i] & 0xFF);
                }
                contentStart = at + 2 + n;
            }
            if (contentStart + length > b.length) {
                throw new IOException("tls key: DER element at offset " + at + " runs past the end");
            }
            return new Der(tag, at, contentStart, contentStart + length);
        }
    }
}
