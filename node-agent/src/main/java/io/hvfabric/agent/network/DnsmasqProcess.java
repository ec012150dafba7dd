package io.hvfabric.agent.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A network's daemonized dnsmasq, found through its pid file and {@code /proc} (never by name): whether it runs, with
 * which arguments, in which network namespace, and stopping it.
 */
final class DnsmasqProcess {
    private DnsmasqProcess() {}

    /** The pid in the network's pid file, if that process is alive and is the dnsmasq this directory belongs to. */
    static OptionalLong runningPid(Path dir) {
        Path pidFile = DnsmasqCommand.pidFile(dir);
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return cmdline(pid).filter(args -> args.contains("--pid-file=" + pidFile)).isPresent()
                    ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    static boolean runsWith(long pid, List<String> argv) {
        return cmdline(pid).map(args -> args.size() == argv.size() && args.subList(1, args.size())
                .equals(argv.subList(1, argv.size()))).orElse(false);
    }

    /** The named namespace is the one dnsmasq runs in (the name may lead elsewhere after a mount-namespace change). */
    static boolean inNamespace(long pid, String ns) {
        try {
            Object named = Files.getAttribute(DhcpServers.NETNS_DIR.resolve(ns), "unix:ino");
            String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString();
            return link.equals("net:[" + named + "]");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Optional<List<String>> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String s = new String(raw, StandardCharsets.UTF_8);
            return s.isEmpty() ? Optional.empty() : Optional.of(Arrays.asList(s.split("\0")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** SIGTERM, then SIGKILL after 2 s. Dead includes a zombie: dnsmasq is not our child, its reaper may be slow. */
    static void stop(long pid) {
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroy();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (running(pid) && System.nanoTime() < deadline) {
                sleep(10);
            }
            if (running(pid)) {
                p.destroyForcibly();
            }
        });
    }

    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')'); // the command name may itself hold spaces and parentheses
            return end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
