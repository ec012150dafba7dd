package io.hvfabric.scheduler.audit;

import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A real, throw-away, plaintext etcd on free loopback ports with its data in a temporary directory. */
public final class LocalEtcd implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final String endpoint;

    private LocalEtcd(Path dir, Process process, String endpoint) {
        this.dir = dir;
        this.process = process;
        this.endpoint = endpoint;
    }

    public static LocalEtcd start() throws Exception {
        Path dir = Files.createTempDirectory("hvf-etcd-");
        int clientPort = freePort();
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + freePort();
        Process process = new ProcessBuilder("etcd", "--name", "audit-it", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", "audit-it=" + peer,
                "--logger", "zap", "--log-level", "warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("etcd.log").toFile())
                .start();
        LocalEtcd etcd = new LocalEtcd(dir, process, client);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!accepts(clientPort)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(dir.resolve("etcd.log"));
                etcd.close();
                throw new IllegalStateException("etcd did not start: " + log);
            }
            Thread.sleep(100);
        }
        return etcd;
    }

    public Client client() {
        return Client.builder().endpoints(endpoint).build();
    }

    /** {@code http://127.0.0.1:<port>}: for a client of etcd's own gRPC API, which jetcd does not wrap entirely. */
    public String endpoint() {
        return endpoint;
    }

    @Override
    public void close() throws Exception {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static boolean accepts(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
