package io.hvfabric.agent.driver.qemu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Looks at host processes through /proc (Linux only, as the driver is). */
final class ProcFs {
    private static final Path PROC = Path.of("/proc");

    private ProcFs() {}

    /**
     * Alive and not a zombie. A QEMU the agent adopted is not its child; after it dies it stays a
     * zombie until PID 1 reaps it, and some minimal inits never do.
     */
    static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.US_ASCII);
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The real uid of a process. */
    static Optional<Integer> uid(long pid) {
        try {
            for (String line : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"))) {
                if (line.startsWith("Uid:")) {
                    return Optional.of(Integer.parseInt(line.substring(4).trim().split("\\s+")[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return Optional.empty();
    }

    /** The uids live processes run as (the owner of /proc/PID is its effective uid); gone processes are skipped. */
    static Set<Integer> liveUids() {
        Set<Integer> uids = new HashSet<>();
        try (Stream<Path> entries = Files.list(PROC)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (p.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    try {
                        uids.add((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS));
                    } catch (IOException e) {
                        // exited meanwhile
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + PROC, e);
        }
        return uids;
    }

    /** Whether this JVM runs as root (the owner of /proc/self is the effective uid). */
    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(PROC.resolve("self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
