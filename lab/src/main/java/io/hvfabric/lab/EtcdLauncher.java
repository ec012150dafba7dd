package io.hvfabric.lab;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Starts the lab's single-member etcd and waits until it reports healthy. */
final class EtcdLauncher {
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(30);

    private final ComponentCommands commands;
    private final ProcessLauncher launcher;
    private final PortAllocator ports;

    EtcdLauncher(ComponentCommands commands, ProcessLauncher launcher, PortAllocator ports) {
        this.commands = commands;
        this.launcher = launcher;
        this.ports = ports;
    }

    ComponentSpec spec(String address, String logDir, String marker) {
        int client = ports.freePort(address);
        int peer = ports.freePort(LoopbackNetwork.LOOPBACK);
        return new ComponentSpec(ComponentKind.ETCD, "etcd", address + ":" + client, null,
                commands.etcd(address, client, peer), logDir + "/etcd.log", marker);
    }

    ComponentRecord start(ComponentSpec spec) {
        ComponentRecord started = launcher.start(spec);
        awaitHealthy(started);
        return started;
    }

    /** etcd answers GET /health with {"health":"true"} once it has a leader. */
    static void awaitHealthy(ComponentRecord etcd) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI health = URI.create("http://" + etcd.spec().address() + "/health");
        long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!Processes.isAlive(etcd.pid())) {
                throw new LabException("etcd: exited during startup" + System.lineSeparator()
                        + LogTail.of(etcd.spec().log(), 20));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().replace(" ", "").contains("\"health\":\"true\"")) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted", e);
            }
            Processes.sleep(Duration.ofMillis(200));
        }
        throw new LabException("etcd: not healthy at " + health + " after " + HEALTH_TIMEOUT.toSeconds() + " s (" + last
                + ")" + System.lineSeparator() + LogTail.of(etcd.spec().log(), 20));
    }
}
