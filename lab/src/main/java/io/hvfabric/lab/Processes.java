package io.hvfabric.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Process facts from /proc. Liveness excludes zombies: with no init reaping orphans (as in this microVM), a
 * killed detached process can linger as a zombie that `kill -0` still reports alive.
 */
final class Processes {
    private static final Path PROC = Path.of("/proc");

    private Processes() {}

    static boolean isAlive(long pid) {
        Optional<String[]> stat = stat(pid);
        if (stat.isPresent()) {
            String state = stat.get()[0];
            return !state.equals("Z") && !state.equals("X");
        }
        if (Platform.isLinux()) {
            return false;
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Alive and still the process that was recorded (same start time), not a recycled pid. */
    static boolean isSame(long pid, long startTicks) {
        return isAlive(pid) && (startTicks == 0 || startTicks(pid).orElse(-1) == startTicks);
    }

    /** Start time in clock ticks since boot (field 22 of /proc/pid/stat), 0 if unknown. */
    static OptionalLong startTicks(long pid) {
        return stat(pid).map(f -> OptionalLong.of(Long.parseLong(f[19]))).orElse(OptionalLong.empty());
    }

    /** Fields of /proc/pid/stat after the command name: [0] is the state (field 3). */
    private static Optional<String[]> stat(long pid) {
        try {
            String s = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            return Optional.of(s.substring(s.lastIndexOf(')') + 2).split(" "));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static List<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            return Arrays.stream(new String(raw, StandardCharsets.UTF_8).split("\0")).filter(a -> !a.isEmpty()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The process's network namespace as "device:inode" of /proc/pid/ns/net, empty if it is gone. */
    static Optional<String> netNamespace(long pid) {
        return fileIdentity(PROC.resolve(Long.toString(pid)).resolve("ns").resolve("net"));
    }

    /**
     * The names under /run/netns that are mounts of the process's own network namespace, as the process sees them.
     * Read through /proc/pid/root, so in the process's own mount namespace: a namespace that `ip netns add` created
     * inside `ip netns exec` (an agent in its host's namespace) is mounted there only, and the root namespace sees a
     * bare file of that name, which names nothing.
     */
    static List<String> namesOfNetNamespace(long pid) {
        Optional<String> own = netNamespace(pid);
        if (own.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(
                PROC.resolve(Long.toString(pid)).resolve("root").resolve("run").resolve("netns"))) {
            for (Path entry : entries) {
                if (fileIdentity(entry).equals(own)) {
                    names.add(entry.getFileName().toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return names;
    }

    /** "device:inode" of what the path leads to (links followed, so a namespace for an nsfs file or mount). */
    private static Optional<String> fileIdentity(Path path) {
        try {
            return Optional.of(Files.getAttribute(path, "unix:dev") + ":" + Files.getAttribute(path, "unix:ino"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static List<Long> allPids() {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC)) {
            for (Path p : dir) {
                String n = p.getFileName().toString();
                if (n.chars().allMatch(Character::isDigit)) {
                    pids.add(Long.parseLong(n));
                }
            }
        } catch (IOException e) {
            ProcessHandle.allProcesses().forEach(h -> pids.add(h.pid()));
        }
        return pids;
    }

    /** SIGTERM to all, then SIGKILL to whatever still lives after the grace period. */
    static void terminate(Collection<Long> pids, Duration grace) {
        long self = ProcessHandle.current().pid();
        List<Long> targets = pids.stream().filter(p -> p != self && isAlive(p)).distinct().toList();
        targets.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroy));
        awaitExit(targets, grace);
        targets.stream().filter(Processes::isAlive)
                .forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
        awaitExit(targets, Duration.ofSeconds(5));
    }

    static boolean awaitExit(Collection<Long> pids, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pids.stream().anyMatch(Processes::isAlive)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(Duration.ofMillis(50));
        }
        return true;
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }
}
