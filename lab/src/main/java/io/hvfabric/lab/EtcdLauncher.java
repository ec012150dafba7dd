package io.hvfabric.lab;

import java.time.Duration;
import java.util.stream.Collectors;

/**
 * Starts the lab's single-member etcd and waits until it reports healthy. It listens on the root namespace's
 * loopback only: the schedulers run there, and a host's namespace has a loopback of its own, so no agent can even
 * open a connection to it.
 */
final class EtcdLauncher {
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(30);

    private final ComponentCommands commands;
    private final PortAllocator ports;

    EtcdLauncher(ComponentCommands commands, PortAllocator ports) {
        this.commands = commands;
        this.ports = ports;
    }

    ComponentSpec spec(String logDir, String marker) {
        int client = ports.freePort(LoopbackNetwork.LOOPBACK);
        int peer = ports.freePort(LoopbackNetwork.LOOPBACK);
        return new ComponentSpec(ComponentKind.ETCD, "etcd", LoopbackNetwork.LOOPBACK + ":" + client, null,
                commands.etcd(client, peer), logDir + "/etcd.log", marker);
    }

    /** `etcdctl endpoint health` commits a read through raft, so it passes once etcd has a leader. */
    static void awaitHealthy(ComponentRecord etcd, Etcdctl etcdctl) {
        long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!Processes.isAlive(etcd.pid())) {
                throw new LabException("etcd: exited during startup" + System.lineSeparator()
                        + LogTail.of(etcd.spec().log(), 20));
            }
            CommandRunner.Result health = etcdctl.attempt("endpoint", "health");
            if (health.ok()) {
                return;
            }
            last = verdict(health.stdout() + health.stderr());
            Processes.sleep(Duration.ofMillis(200));
        }
        throw new LabException("etcd: not healthy at " + etcd.spec().address() + " after " + HEALTH_TIMEOUT.toSeconds()
                + " s (" + last + ")" + System.lineSeparator() + LogTail.of(etcd.spec().log(), 20));
    }

    /** etcdctl's verdict without the JSON log lines of its retries. */
    private static String verdict(String output) {
        return output.lines().filter(l -> !l.startsWith("{")).collect(Collectors.joining("; "));
    }
}
