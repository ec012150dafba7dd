package io.hvfabric.agent.migration;

import io.hvfabric.agent.driver.qemu.QemuIdentity;
import io.hvfabric.common.tls.TlsFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code tls-creds-x509} object QEMU encrypts a migration stream with. QEMU reads its PEM files itself, after it
 * dropped to its unprivileged user, from one directory with fixed names; so the host's migration certificate and key
 * (never the agent's own gRPC pair: {@link MigrationTls}) are copied into a fresh directory inside the VSI's run
 * directory, the files owned by the VSI's own QEMU uid ({@link QemuIdentity}) and readable by nobody else. Migration
 * certificates carry serverAuth and clientAuth and the host's IPs, so the same pair serves both ends.
 *
 * <p>The QEMU user owns the run directory and can swap any entry in it for a link at any moment, while the agent
 * runs as root. So the directory gets an unguessable name and stays the agent's (QEMU may only traverse it), and the
 * agent writes, chowns and removes its files only through the directory handle it opened without following links:
 * a compromised QEMU cannot make the agent touch anything outside. (It can still swap the new directory for a FIFO
 * in the instant before the agent opens it, which blocks that one migration's worker: its own VSI's loss.)
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
    private static final Set<PosixFilePermission> AGENT_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> TRAVERSE_ONLY = PosixFilePermissions.fromString("rwx--x--x");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_AND_GROUP = PosixFilePermissions.fromString("rw-r-----");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String objectId;
    private final Endpoint endpoint;
    private final Path dir;
    private final SecureDirectoryStream<Path> handle;
    private final Set<String> files;
    private boolean deleted;

    private QemuTlsCredentials(String objectId, Endpoint endpoint, Path dir, SecureDirectoryStream<Path> handle,
                               Set<String> files) {
        this.objectId = objectId;
        this.endpoint = endpoint;
        this.dir = dir;
        this.handle = handle;
        this.files = files;
    }

    /**
     * Creates {@code runDir/<objectId>-<random>} with {@code ca-cert.pem}, {@code <endpoint>-cert.pem} and
     * {@code <endpoint>-key.pem} (and {@code dh-params.pem} for a server); {@link #deleteFiles} removes it.
     *
     * @param objectId QEMU object id, also the start of the directory name: a letter, then up to 63 of [A-Za-z0-9_.-]
     */
    public static QemuTlsCredentials prepare(Path runDir, String objectId, Endpoint endpoint, TlsFiles files)
            throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(files, "files");
        if (objectId == null || !OBJECT_ID.matcher(objectId).matches()) {
            throw new IllegalArgumentException("objectId must be a letter followed by up to 63 of [A-Za-z0-9_.-], got '"
                    + objectId + "'");
        }
        if (!Files.isDirectory(runDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("runDir " + runDir + " is not a directory");
        }
        // Everything QEMU gets is read first, from the agent's own files.
        String prefix = endpoint.qemuName();
        Map<String, byte[]> contents = new LinkedHashMap<>();
        contents.put(CA_FILE, Files.readAllBytes(files.ca()));
        contents.put(prefix + "-cert.pem", Files.readAllBytes(files.cert()));
        contents.put(prefix + "-key.pem", GnutlsPrivateKey.pemFor(files.key(), files.cert())
                .getBytes(StandardCharsets.US_ASCII));
        if (endpoint == Endpoint.SERVER) {
            contents.put(DH_PARAMS_FILE, dhParams());
        }
        QemuIdentity qemu = QemuIdentity.ofRunDir(runDir);
        String name = objectId + "-" + HexFormat.of().formatHex(randomBytes());
        Path dir = runDir.resolve(name);
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(AGENT_ONLY));
        SecureDirectoryStream<Path> handle;
        try (SecureDirectoryStream<Path> run = openDir(runDir)) {
            handle = run.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS);
        }
        QemuTlsCredentials creds = new QemuTlsCredentials(objectId, endpoint, dir, handle, contents.keySet());
        try {
            requireOurs(handle, dir);
            for (Map.Entry<String, byte[]> file : contents.entrySet()) {
                write(handle, Path.of(file.getKey()), file.getValue());
                chown(handle.getFileAttributeView(Path.of(file.getKey()), PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS), qemu);
            }
            // Only now may QEMU look in: traverse, not list, and never change the entries.
            handle.getFileAttributeView(PosixFileAttributeView.class).setPermissions(TRAVERSE_ONLY);
            return creds;
        } catch (IOException | RuntimeException e) {
            creds.deleteQuietly();
            throw e;
        }
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

    /**
     * Removes the copied key material once QEMU no longer needs it (it keeps what it loaded in memory): the files
     * through the handle held since {@link #prepare}, then the directory entry, whatever QEMU put there meanwhile
     * (an empty directory or a link goes; nothing is followed). Idempotent.
     */
    public synchronized void deleteFiles() throws IOException {
        if (deleted) {
            return;
        }
        deleted = true;
        try {
            for (String file : files) {
                try {
                    handle.deleteFile(Path.of(file));
                } catch (NoSuchFileException e) {
                    // not written yet (a failed prepare) or removed already
                }
            }
        } finally {
            handle.close();
        }
        Files.deleteIfExists(dir);
    }

    private void deleteQuietly() {
        try {
            deleteFiles();
        } catch (IOException e) {
            // the prepare failure is what the caller reports
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static byte[] dhParams() throws IOException {
        try (var in = QemuTlsCredentials.class.getResourceAsStream(DH_PARAMS_RESOURCE)) {
            if (in == null) {
                throw new IOException("resource " + DH_PARAMS_RESOURCE + " missing from the agent's jar");
            }
            return in.readAllBytes();
        }
    }

    private static SecureDirectoryStream<Path> openDir(Path dir) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(dir);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        stream.close();
        throw new IOException("the file system of " + dir + " offers no link-safe directory access (openat)");
    }

    /** Between mkdir and open, the QEMU user could have put a directory of its own in place of the agent's. */
    private static void requireOurs(SecureDirectoryStream<Path> dir, Path path) throws IOException {
        PosixFileAttributes attrs = dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
        UserPrincipal agent = path.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        if (!attrs.isDirectory() || !attrs.owner().equals(agent)) {
            throw new IOException(path + " was replaced while the TLS files were being prepared");
        }
    }

    /** O_CREAT|O_EXCL|O_NOFOLLOW, in a directory only the agent can change. */
    private static void write(SecureDirectoryStream<Path> dir, Path file, byte[] content) throws IOException {
        Set<PosixFilePermission> mode = file.toString().endsWith("-key.pem") ? OWNER_ONLY : OWNER_AND_GROUP;
        try (SeekableByteChannel out = dir.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(mode))) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }
    }

    private static void chown(PosixFileAttributeView view, QemuIdentity like) throws IOException {
        PosixFileAttributes current = view.readAttributes();
        if (!current.owner().equals(like.owner())) {
            view.setOwner(like.owner());
        }
        if (!current.group().equals(like.group())) {
            view.setGroup(like.group());
        }
    }
}
