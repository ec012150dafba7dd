package io.hvfabric.agent.driver.qemu;

import io.hvfabric.common.error.FabricException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Gives each VSI run directory its own id from a {@link VsiIdRange}, which its QEMU runs as (uid and gid).
 *
 * <p>The record is host-wide, because every agent on a machine (a lab runs several) draws from the same uid space: a
 * claims directory where a claim is a symlink {@code <id> -> <run dir>}, created atomically, with every change made
 * under a file lock. A claim holds exactly as long as its run directory exists, so an agent restart finds its VSIs'
 * ids unchanged, and a run directory removed by any means (destroy, or a crash between removal and {@link #release})
 * frees its id. The pool creates the run directory itself, under the lock, so no other agent can mistake a fresh
 * claim for a stale one. An id that some live process runs as is never handed out, whatever the claims say.
 */
final class VsiIdPool {
    /** FileChannel.lock excludes other processes only; threads of this JVM queue here first. */
    private static final Object JVM_LOCK = new Object();
    private static final String LOCK_FILE = ".lock";

    private final VsiIdRange range;
    private final Path claims;
    private final Supplier<Set<Integer>> liveUids;

    /**
     * @param claims the host-wide claims directory, created (0700) if missing
     * @param liveUids the uids of the host's live processes
     */
    VsiIdPool(VsiIdRange range, Path claims, Supplier<Set<Integer>> liveUids) throws IOException {
        this.range = range;
        this.claims = claims.toAbsolutePath().normalize();
        this.liveUids = liveUids;
        Files.createDirectories(this.claims);
        Files.setPosixFilePermissions(this.claims, PosixFilePermissions.fromString("rwx------"));
    }

    VsiIdRange range() {
        return range;
    }

    /**
     * The id {@code runDir} holds, or a free one claimed for it now; {@code runDir} exists afterwards.
     *
     * @throws FabricException RESOURCE_EXHAUSTED when every id of the range is held or in use
     */
    int acquire(Path runDir) throws IOException {
        Path dir = runDir.toAbsolutePath().normalize();
        return locked(() -> {
            Map<Integer, Path> held = readClaims();
            Set<Integer> live = liveUids.get();
            for (Map.Entry<Integer, Path> c : held.entrySet()) {
                if (c.getValue().equals(dir)) {
                    if (range.contains(c.getKey()) && !live.contains(c.getKey())) {
                        Files.createDirectories(dir);
                        return c.getKey();
                    }
                    // Left by an orphaned QEMU still running as it, or outside a changed range: take another.
                    Files.delete(claim(c.getKey()));
                }
            }
            for (int id = range.first(); id <= range.last(); id++) { // last < Integer.MAX_VALUE: no overflow
                Path holder = held.get(id);
                if (live.contains(id) || (holder != null && !holder.equals(dir) && exists(holder))) {
                    continue;
                }
                Files.deleteIfExists(claim(id)); // stale: its run directory is gone
                Files.createSymbolicLink(claim(id), dir);
                Files.createDirectories(dir);
                return id;
            }
            throw FabricException.resourceExhausted(
                    "no free VSI uid in --vsi-uid-range %s: all %d are held by VSIs on this host or used by running"
                            + " processes", range, range.size());
        });
    }

    /** Frees the id of a run directory that was removed; nothing if it held none. */
    void release(Path runDir) throws IOException {
        Path dir = runDir.toAbsolutePath().normalize();
        locked(() -> {
            for (Map.Entry<Integer, Path> c : readClaims().entrySet()) {
                if (c.getValue().equals(dir)) {
                    Files.deleteIfExists(claim(c.getKey()));
                }
            }
            return null;
        });
    }

    /** Every claim on the host, id to run directory, whichever agent made it. */
    Map<Integer, Path> readClaims() throws IOException {
        Map<Integer, Path> out = new TreeMap<>();
        try (Stream<Path> entries = Files.list(claims)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (!name.matches("\\d{1,10}") || Long.parseLong(name) > Integer.MAX_VALUE) {
                    continue;
                }
                try {
                    out.put(Integer.parseInt(name), Files.readSymbolicLink(p));
                } catch (NotLinkException | NoSuchFileException e) {
                    // not a claim, or released meanwhile by a reader that did not lock
                }
            }
        }
        return out;
    }

    private Path claim(int id) {
        return claims.resolve(Integer.toString(id));
    }

    private static boolean exists(Path runDir) {
        return Files.isDirectory(runDir, LinkOption.NOFOLLOW_LINKS);
    }

    private interface Locked<T> {
        T run() throws IOException;
    }

    private <T> T locked(Locked<T> body) throws IOException {
        synchronized (JVM_LOCK) {
            try (FileChannel ch = FileChannel.open(claims.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                    FileLock lock = ch.lock()) {
                return body.run();
            }
        }
    }
}
