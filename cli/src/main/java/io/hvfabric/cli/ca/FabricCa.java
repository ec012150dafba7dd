package io.hvfabric.cli.ca;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The fabric's certificate authority, kept as {@code ca.crt} and {@code ca.key} in one directory.
 * Issued certificates land beside them as {@code NAME.crt} and {@code NAME.key}.
 *
 * <pre>
 * FabricCa ca = FabricCa.init(dir);                       // or FabricCa.load(dir)
 * ca.issue("sched-1", Role.SCHEDULER, List.of("10.0.0.1"), List.of());
 * </pre>
 */
public final class FabricCa {
    static final String CA_NAME = "ca";
    public static final String CERTIFICATE_FILE = CA_NAME + ".crt";
    public static final String KEY_FILE = CA_NAME + ".key";

    private final Path dir;
    private final X509Certificate certificate;
    private final CertificateIssuer issuer;

    private FabricCa(Path dir, X509Certificate certificate, PrivateKey key, Clock clock) {
        this.dir = dir;
        this.certificate = certificate;
        this.issuer = new CertificateIssuer(certificate, key, clock);
    }

    /** Creates a new CA in {@code dir}; fails if one is already there. */
    public static FabricCa init(Path dir) {
        return init(dir, false, Clock.systemUTC());
    }

    /** Creates a new CA in {@code dir}; with {@code force} an existing CA there is replaced. */
    public static FabricCa init(Path dir, boolean force) {
        return init(dir, force, Clock.systemUTC());
    }

    public static FabricCa init(Path dir, boolean force, Clock clock) {
        Objects.requireNonNull(dir, "dir");
        Path certFile = dir.resolve(CERTIFICATE_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        if (!force && (Files.exists(certFile) || Files.exists(keyFile))) {
            throw new FabricCaException("a CA already exists in " + dir + " (use --force to replace it)");
        }
        KeyPair keyPair = KeyPairs.generate();
        // A random suffix keeps two labs' CAs from sharing a subject name, which confuses trust stores.
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        String commonName = "hvfabric CA " + HexFormat.of().formatHex(suffix);
        X509Certificate certificate = CertificateIssuer.selfSignedCa(keyPair, commonName, clock);
        try {
            // The key goes first: a directory with a certificate but no key would look initialised.
            PemFiles.writePrivateKey(keyFile, keyPair.getPrivate());
            PemFiles.writeCertificate(certFile, certificate);
        } catch (IOException e) {
            throw new FabricCaException("cannot write the CA to " + dir + ": " + e.getMessage(), e);
        }
        return new FabricCa(dir, certificate, keyPair.getPrivate(), clock);
    }

    /** Opens the CA previously created in {@code dir}. */
    public static FabricCa load(Path dir) {
        return load(dir, Clock.systemUTC());
    }

    public static FabricCa load(Path dir, Clock clock) {
        Objects.requireNonNull(dir, "dir");
        Path certFile = dir.resolve(CERTIFICATE_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        if (!Files.isRegularFile(certFile) || !Files.isRegularFile(keyFile)) {
            throw new FabricCaException("no CA in " + dir + ": expected " + CERTIFICATE_FILE + " and " + KEY_FILE
                    + " (run 'hvctl ca init --dir " + dir + "' first)");
        }
        try {
            X509Certificate certificate = PemFiles.readCertificate(certFile);
            PrivateKey key = PemFiles.readPrivateKey(keyFile);
            requireMatchingKey(certificate, key, dir);
            return new FabricCa(dir, certificate, key, clock);
        } catch (IOException e) {
            throw new FabricCaException("cannot read the CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Issues {@code NAME.crt} and {@code NAME.key} ({@code NAME-migration.*} for role migration) signed by this CA,
     * replacing any previous pair of that name. Scheduler, agent and etcd certificates always include 127.0.0.1 and
     * localhost.
     */
    public IssuedCertificate issue(String name, Role role, List<String> ips, List<String> dnsNames) {
        Objects.requireNonNull(role, "role");
        KeyPair keyPair = KeyPairs.generate();
        X509Certificate leaf = issuer.issue(name, role, keyPair.getPublic(), List.copyOf(ips), List.copyOf(dnsNames));
        return store(name, role.fileStem(name), keyPair, leaf);
    }

    /**
     * Issues {@code NAME.crt} and {@code NAME.key} for user {@code name} of {@code tenant} (role tenant, the tenant
     * in the URI SAN {@code spiffe://hvfabric/tenant/TENANT/user/NAME}), replacing any previous pair of that name.
     */
    public IssuedCertificate issueTenant(String name, String tenant) {
        KeyPair keyPair = KeyPairs.generate();
        return store(name, name, keyPair, issuer.issueTenant(name, tenant, keyPair.getPublic()));
    }

    private IssuedCertificate store(String name, String fileStem, KeyPair keyPair, X509Certificate leaf) {
        Path certFile = dir.resolve(fileStem + ".crt");
        Path keyFile = dir.resolve(fileStem + ".key");
        try {
            PemFiles.writePrivateKey(keyFile, keyPair.getPrivate());
            PemFiles.writeCertificate(certFile, leaf);
        } catch (IOException e) {
            throw new FabricCaException("cannot write the certificate for '" + name + "' to " + dir + ": "
                    + e.getMessage(), e);
        }
        return new IssuedCertificate(leaf, certFile, keyFile, certificatePath());
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public Path certificatePath() {
        return dir.resolve(CERTIFICATE_FILE);
    }

    public Path directory() {
        return dir;
    }

    /** Signs and verifies a probe so a mismatched ca.key is reported at load, not as broken leaf certificates. */
    private static void requireMatchingKey(X509Certificate certificate, PrivateKey key, Path dir) {
        try {
            byte[] probe = {1, 2, 3};
            Signature signer = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new FabricCaException(KEY_FILE + " in " + dir + " does not match " + CERTIFICATE_FILE);
            }
        } catch (GeneralSecurityException e) {
            throw new FabricCaException("the CA key in " + dir + " is not an EC P-256 key: " + e.getMessage(), e);
        }
    }
}
