package io.hvfabric.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus server (Debian's {@code /usr/bin/prometheus}) in the test's own network namespace, scraping
 * static targets every second and evaluating rule files every second; read through its HTTP API as an operator's
 * dashboards and Alertmanager would. Its configuration and log stay in {@code dir}; its storage is a temporary
 * directory removed on {@link #close()}.
 */
public final class Prometheus implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final String address;
    private final Path storage;
    private final Path log;

    private Prometheus(Process process, String address, Path storage, Path log) {
        this.process = process;
        this.address = address;
        this.storage = storage;
        this.log = log;
    }

    /**
     * Starts Prometheus on a free loopback port and waits until it is ready.
     *
     * @param jobs job name to its {@code host:port} targets
     * @param ruleFiles rule files to load, each evaluated every second
     */
    public static Prometheus start(Path dir, Map<String, List<String>> jobs, List<Path> ruleFiles)
            throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, config(jobs, ruleFiles));
        Path storage = Files.createTempDirectory("hvf-prometheus-");
        Path log = dir.resolve("prometheus.log");
        String address = "127.0.0.1:" + freePort();
        Process process = new ProcessBuilder(BINARY.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + storage,
                "--web.listen-address=" + address,
                "--log.level=info")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Prometheus prometheus = new Prometheus(process, address, storage, log);
        try {
            prometheus.awaitReady();
            return prometheus;
        } catch (RuntimeException e) {
            prometheus.close();
            throw e;
        }
    }

    /** The configuration for {@code jobs}: everything every second, so a test sees a change within seconds. */
    static String config(Map<String, List<String>> jobs, List<Path> ruleFiles) {
        StringBuilder yml = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                """);
        ruleFiles.forEach(f -> yml.append("  - '").append(f).append("'\n"));
        yml.append("scrape_configs:\n");
        jobs.forEach((job, targets) -> {
            yml.append("  - job_name: '").append(job).append("'\n    static_configs:\n      - targets: [");
            yml.append(String.join(", ", targets.stream().map(t -> "'" + t + "'").toList())).append("]\n");
        });
        return yml.toString();
    }

    public String address() {
        return address;
    }

    /** {@code /api/v1/query}: the instant vector's samples (each {@code metric} labels and {@code value}). */
    public JsonNode query(String promql) {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
    }

    /** The value of a query that yields exactly one sample; empty when it yields none. */
    public OptionalDouble value(String promql) {
        JsonNode result = query(promql);
        if (result.isEmpty()) {
            return OptionalDouble.empty();
        }
        if (result.size() > 1) {
            throw new AssertionError(promql + ": " + result.size() + " samples, expected one: " + result);
        }
        return OptionalDouble.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
    }

    /** {@code /api/v1/alerts}: the alerts now pending or firing (labels, state, activeAt). */
    public JsonNode alerts() {
        return get("/api/v1/alerts").path("alerts");
    }

    /** {@code /api/v1/targets}: the active targets with their health and last scrape error. */
    public JsonNode targets() {
        return get("/api/v1/targets?state=active").path("activeTargets");
    }

    /** The last lines Prometheus logged, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
                throw new AssertionError("GET " + path + ": HTTP " + response.statusCode() + ": " + response.body());
            }
            return body.path("data");
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " from Prometheus failed: " + e + "\n" + logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted asking Prometheus", e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited " + process.exitValue() + ":\n" + logTail());
            }
            try {
                HttpResponse<Void> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address
                        + "/-/ready")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for Prometheus", e);
            }
            sleep(200);
        }
        throw new IllegalStateException("prometheus not ready at " + address + " within " + READY_TIMEOUT.toSeconds()
                + " s:\n" + logTail());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, then SIGKILL after 10 s; then the storage goes. Idempotent. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.exists(storage) ? Files.walk(storage) : Stream.empty()) {
            List<Path> all = new ArrayList<>(files.toList());
            all.sort(Comparator.reverseOrder());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove Prometheus storage " + storage, e);
        }
    }
}
