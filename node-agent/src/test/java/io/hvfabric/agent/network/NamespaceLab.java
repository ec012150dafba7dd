package io.hvfabric.agent.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Network namespaces for one test run, all named {@code <run>-<name>} so that {@link #close} finds and removes every
 * one of them (with whatever runs inside), whatever the test got to.
 */
final class NamespaceLab implements AutoCloseable {
    private final String run;
    private final CommandRunner local = CommandRunner.local();

    NamespaceLab(String run) {
        this.run = run;
    }

    String name(String suffix) {
        return run + "-" + suffix;
    }

    /** Creates {@code <run>-<suffix>} with its loopback up. */
    String add(String suffix) {
        String ns = name(suffix);
        local.run("ip", "netns", "add", ns);
        in(ns).run("ip", "link", "set", "lo", "up");
        return ns;
    }

    CommandRunner in(String ns) {
        return CommandRunner.inNetns(ns);
    }

    /** A veth from {@code ns} (named {@code name}) to {@code peerNs} (named {@code peerName}), both up. */
    void veth(String ns, String name, String peerNs, String peerName) {
        in(ns).run("ip", "link", "add", name, "type", "veth", "peer", "name", peerName, "netns", peerNs);
        in(ns).run("ip", "link", "set", name, "up");
        in(peerNs).run("ip", "link", "set", peerName, "up");
    }

    /** Every namespace of this run, and every process in one of them. */
    @Override
    public void close() {
        for (String ns : namespaces()) {
            CommandResult pids = local.attempt("ip", "netns", "pids", ns);
            pids.stdout().lines().map(String::strip).filter(l -> l.matches("[0-9]+"))
                    .forEach(p -> ProcessHandle.of(Long.parseLong(p)).ifPresent(ProcessHandle::destroyForcibly));
            local.attempt("ip", "netns", "del", ns);
        }
    }

    List<String> namespaces() {
        try (Stream<Path> s = Files.list(Path.of("/run/netns"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(run + "-")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
