package io.hvfabric.lab;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Removes everything a lab created, from its state file when there is one and by naming convention always,
 * so it also cleans up after a crashed `lab up`, a stale state file or half-created namespaces. Keeps logs.
 */
final class LabSweeper {
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final LabNames names;
    private final Path dir;
    private final CommandRunner shell;

    LabSweeper(LabNames names, Path dir, CommandRunner shell) {
        this.names = names;
        this.dir = dir.toAbsolutePath().normalize();
        this.shell = shell;
    }

    void sweep(Optional<LabState> state) {
        Processes.terminate(strays(state), GRACE);
        // An agent that was still converging while it got SIGTERM may have restarted a child (dnsmasq) in the
        // meantime: a second round takes what the first one could not have seen.
        for (int round = 0; round < 2; round++) {
            Set<Long> late = strays(Optional.empty());
            late.removeIf(pid -> !Processes.isAlive(pid));
            if (late.isEmpty()) {
                break;
            }
            Processes.terminate(late, GRACE);
        }
        if (Platform.isLinuxRoot()) {
            new HostNetwork(names, shell, 0).destroy();
        }
        deleteRecursively(dir.resolve("etcd"));
        deleteRecursively(dir.resolve("hosts"));
        deleteRecursively(dir.resolve("tls"));
        deleteQuietly(dir.resolve(Lab.HVCTL_ENV));
        LabState.delete(dir);
        List<Long> survivors = strays(Optional.empty()).stream().filter(Processes::isAlive).toList();
        if (!survivors.isEmpty()) {
            throw new LabException("down: processes of lab '" + names.name() + "' survived SIGKILL: " + survivors);
        }
    }

    /** Every process that belongs to this lab, found each way it can be found. */
    Set<Long> strays(Optional<LabState> state) {
        Set<Long> pids = new LinkedHashSet<>();
        state.ifPresent(s -> s.components().stream()
                .filter(c -> Processes.isSame(c.pid(), c.startTicks()))
                .filter(c -> Processes.commandLine(c.pid()).contains(c.spec().marker()))
                .forEach(c -> pids.add(c.pid())));
        if (Platform.isLinux()) {
            // Everything inside a host's namespace is the lab's: its agent and the agent's QEMUs.
            for (String ns : HostNetwork.existingNamespaces(shell, names)) {
                shell.attempt(List.of("ip", "netns", "pids", ns)).stdout().lines().map(String::strip)
                        .filter(l -> l.matches("\\d+")).forEach(l -> pids.add(Long.parseLong(l)));
            }
            // An agent's per-network namespaces (DHCP) are mounted in its own mount namespace, where it created
            // them, so `ip netns pids` from here sees nobody in them: ask each process what its namespace is called.
            Optional<String> here = Processes.netNamespace(ProcessHandle.current().pid());
            for (long pid : Processes.allPids()) {
                if (belongsToLab(Processes.commandLine(pid)) || inLabNamespace(pid, here)) {
                    pids.add(pid);
                }
            }
        }
        pids.remove(ProcessHandle.current().pid());
        return pids;
    }

    /** Whether the process runs in a network namespace other than ours that it knows by one of the lab's names. */
    private boolean inLabNamespace(long pid, Optional<String> here) {
        Optional<String> its = Processes.netNamespace(pid);
        return its.isPresent() && !its.equals(here)
                && Processes.namesOfNetNamespace(pid).stream().anyMatch(names::isNamespace);
    }

    /** JVMs carry the lab tag, etcd its member name, QEMUs of loopback hosts paths under DIR/hosts. */
    boolean belongsToLab(List<String> args) {
        if (args.contains(names.jvmTag())) {
            return true;
        }
        int name = args.indexOf("--name");
        if (name >= 0 && name + 1 < args.size() && args.get(name + 1).equals(names.etcdMemberName())
                && !args.isEmpty() && Path.of(args.get(0)).getFileName().toString().equals("etcd")) {
            return true;
        }
        String hostsDir = dir.resolve("hosts") + "/";
        return args.stream().anyMatch(a -> a.contains(hostsDir));
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new LabException("down: cannot delete " + p + ": " + e.getMessage(), e);
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new LabException("down: cannot delete " + root + ": " + e.getMessage(), e);
        }
    }
}
