package io.hvfabric.agent.migration;

import io.hvfabric.common.tls.TlsFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code tls-creds-x509} object QEMU encrypts a migration stream with. QEMU reads its PEM files itself, after it
 * dropped to its unprivileged user, from one directory with fixed names; so the agent's own certificate and key are
 * copied into a fresh directory inside the VSI's run directory, owned like the run directory (by the QEMU user) and
 * readable by nobody else. Agent certificates carry serverAuth and clientAuth and the host's IPs, so the same pair
 * serves both ends.
 */
public final class QemuTlsCredentials {
    /** Which side of the migration stream: the target listens (server), the source connects (client). */
    public enum Endpoint {
        SERVER("server"),
        CLIENT("client");

        private final String qemuName;

        Endpoint(String qemuName) {
            this.qemuName = qemuName;
        }

        public String qemuName() {
            return qemuName;
        }
    }

    public static final String CA_FILE = "ca-cert.pem";
    /**
     * Without this file a QEMU server endpoint generates fresh 2048-bit DH parameters on every object-add: 0.8 s of
     * CPU inside each migration's preparation. TLS 1.3 negotiates ECDHE and never uses them; the fixed RFC 7919
     * group (ffdhe2048) is what GnuTLS would pick for finite-field DH anyway.
     */
    static final String DH_PARAMS_FILE = "dh-params.pem";
    private static final String DH_PARAMS_RESOURCE = "ffdhe2048.pem";
    private static final Pattern OBJECT_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");

    private final String objectId;
    private final Endpoint endpoint;
    private final Path dir;

    private QemuTlsCredentials(String objectId, Endpoint endpoint, Path dir) {
        this.objectId = objectId;
        this.endpoint = endpoint;
        this.dir = dir;
    }

    /**
     * Creates {@code runDir/<objectId>} with {@code ca-cert.pem}, {@code <endpoint>-cert.pem} and
     * {@code <endpoint>-key.pem}, replacing an earlier directory of that name.
     *
     * @param objectId QEMU object id, also the directory name: a letter, then up to 63 of [A-Za-z0-9_.-]
     */
    public static QemuTlsCredentials prepare(Path runDir, String objectId, Endpoint endpoint, TlsFiles files)
            throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(files, "files");
        if (objectId == null || !OBJECT_ID.matcher(objectId).matches()) {
            throw new IllegalArgumentException("objectId must be a letter followed by up to 63 of [A-Za-z0-9_.-], got '"
                    + objectId + "'");
        }
        if (!Files.isDirectory(runDir)) {
            throw new IllegalArgumentException("runDir " + runDir + " is not a directory");
        }
        PosixFileAttributes owner = Files.readAttributes(runDir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Path dir = runDir.resolve(objectId);
        deleteDir(dir);
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String prefix = endpoint.qemuName();
        copy(files.ca(), dir.resolve(CA_FILE), "rw-r-----");
        copy(files.cert(), dir.resolve(prefix + "-cert.pem"), "rw-r-----");
        Path key = dir.resolve(prefix + "-key.pem");
        Files.writeString(key, GnutlsPrivateKey.pemFor(files.key(), files.cert()), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        if (endpoint == Endpoint.SERVER) {
            writeDhParams(dir.resolve(DH_PARAMS_FILE));
        }
        try (var entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                chown(p, owner);
            }
        }
        chown(dir, owner);
        return new QemuTlsCredentials(objectId, endpoint, dir);
    }

    /** Arguments of QMP {@code object-add}; the peer's certificate must be signed by the fabric CA. */
    public Map<String, Object> objectAddArguments() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("qom-type", "tls-creds-x509");
        args.put("id", objectId);
        args.put("dir", dir.toString());
        args.put("endpoint", endpoint.qemuName());
        args.put("verify-peer", true);
        return args;
    }

    public String objectId() {
        return objectId;
    }

    public Path dir() {
        return dir;
    }

    /** Removes the copied key material once QEMU no longer needs it (it keeps what it loaded in memory). */
    public void deleteFiles() throws IOException {
        deleteDir(dir);
    }

    private static void writeDhParams(Path to) throws IOException {
        try (var in = QemuTlsCredentials.class.getResourceAsStream(DH_PARAMS_RESOURCE)) {
            if (in == null) {
                throw new IOException("resource " + DH_PARAMS_RESOURCE + " missing from the agent's jar");
            }
            Files.write(to, in.readAllBytes());
        }
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r-----"));
    }

    private static void copy(Path from, Path to, String mode) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(mode));
    }

    private static void chown(Path p, PosixFileAttributes like) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes current = view.readAttributes();
        if (!current.owner().equals(like.owner())) {
            view.setOwner(like.owner());
        }
        if (!current.group().equals(like.group())) {
            view.setGroup(like.group());
        }
    }

    private static void deleteDir(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
