package io.hvfabric.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A single-member etcd on free loopback ports with a temporary data directory; close() kills it and removes the dir. */
public final class EtcdProcess implements AutoCloseable {
    private final Process process;
    private final Path dataDir;
    private final String endpoint;

    private EtcdProcess(Process process, Path dataDir, String endpoint) {
        this.process = process;
        this.dataDir = dataDir;
        this.endpoint = endpoint;
    }

    public static EtcdProcess start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("hvf-bench-etcd");
        int client = freePort();
        int peer = freePort();
        String clientUrl = "http://127.0.0.1:" + client;
        String peerUrl = "http://127.0.0.1:" + peer;
        Process p = new ProcessBuilder(List.of("etcd", "--name", "bench", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", "bench=" + peerUrl, "--log-level", "warn"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("etcd.log").toFile())
                .start();
        EtcdProcess etcd = new EtcdProcess(p, dir, clientUrl);
        try {
            etcd.awaitHealthy(Duration.ofSeconds(30));
        } catch (IOException | RuntimeException e) {
            etcd.close();
            throw e;
        }
        return etcd;
    }

    public String endpoint() {
        return endpoint;
    }

    private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI health = URI.create(endpoint + "/health");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("etcd exited during startup; see " + dataDir.resolve("etcd.log"));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().replace(" ", "").contains("\"health\":\"true\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IOException("etcd not healthy at " + health + " after " + timeout.toSeconds() + " s");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not remove " + dataDir + ": " + e.getMessage());
        }
    }
}
