package io.hvfabric.cli.ca;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Reads and writes certificates and PKCS#8 private keys as PEM files. */
public final class PemFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private PemFiles() {}

    public static void writeCertificate(Path file, X509Certificate certificate) throws IOException {
        writeAtomically(file, toPem(certificate), WORLD_READABLE);
    }

    /** PKCS#8 ("BEGIN PRIVATE KEY") because Netty's SslContext reads no other format; mode 0600. */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        writeAtomically(file, toPem(new JcaPKCS8Generator(key, null)), OWNER_ONLY);
    }

    /** The certificate alone as PEM, whatever else the file it came from held. */
    public static String certificatePem(X509Certificate certificate) throws IOException {
        return toPem(certificate);
    }

    public static X509Certificate readCertificate(Path file) throws IOException {
        Object parsed = parseOne(file);
        if (!(parsed instanceof X509CertificateHolder holder)) {
            throw new IOException(file + " does not hold a PEM certificate");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IOException(file + " holds an unusable certificate: " + e.getMessage(), e);
        }
    }

    public static PrivateKey readPrivateKey(Path file) throws IOException {
        Object parsed = parseOne(file);
        if (!(parsed instanceof PrivateKeyInfo info)) {
            throw new IOException(file + " does not hold a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
        }
        return new JcaPEMKeyConverter().getPrivateKey(info);
    }

    private static Object parseOne(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object parsed = parser.readObject();
            if (parsed == null) {
                throw new IOException(file + " holds no PEM object");
            }
            return parsed;
        }
    }

    private static String toPem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    /**
     * Writes to a sibling temporary file created with its final permissions, then renames it: a
     * reader never sees a half-written file and a key is never briefly world-readable.
     */
    private static void writeAtomically(Path file, String content, Set<PosixFilePermission> permissions)
            throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(permissions));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(temp);
        } catch (FileAlreadyExistsException raced) {
            throw new IOException("another process is writing " + file, raced);
        }
        try {
            Files.writeString(temp, content, StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
