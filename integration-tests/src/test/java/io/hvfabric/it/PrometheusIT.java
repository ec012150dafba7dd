package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hvfabric.it.support.Hvctl;
import io.hvfabric.it.support.Prometheus;
import io.hvfabric.it.support.TestLab;
import io.hvfabric.lab.Lab;
import io.hvfabric.lab.RepoLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A real Prometheus scraping a 2-host lab (both scheduler replicas and both agents, at the metrics addresses the
 * fabric reports) with the repository's alert rules and Grafana dashboard: what an operator's monitoring sees of a
 * live migration, of a migration under way, and of a host that dies, and what the dashboard's panels show. Every target must be up first, so nothing here passes on an empty
 * Prometheus.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusIT {
    private static final String VSI = "prom-1";
    /** HvfHostDown waits 1m in production; the test's copy of the rules waits this long instead. */
    private static final String HOST_DOWN_FOR = "5s";
    private static TestLab lab;
    private static Hvctl hvctl;
    private static Prometheus prometheus;
    private static List<String> targets;

    @BeforeAll
    static void up() throws IOException {
        lab = TestLab.up(2, List.of());
        hvctl = lab.hvctl();
        hvctl.ok("vsi", "create", VSI, "--vcpus", "1", "--memory", "256", "--host", "host-1", "--wait");
        Map<String, List<String>> jobs = new LinkedHashMap<>();
        jobs.put("hvf-scheduler", addresses(hvctl.json("cluster", "status").path("replicas")));
        jobs.put("hvf-agent", addresses(hvctl.json("host", "list")));
        assertThat(jobs.get("hvf-scheduler")).as("scheduler metrics addresses").hasSize(Lab.SCHEDULER_REPLICAS);
        assertThat(jobs.get("hvf-agent")).as("agent metrics addresses").hasSize(2);
        targets = jobs.values().stream().flatMap(List::stream).toList();
        Path dir = lab.dir().resolve("prometheus");
        prometheus = Prometheus.start(dir, jobs, List.of(rulesWithShortHostDown(dir)));
    }

    @AfterAll
    static void down() {
        try {
            if (prometheus != null) {
                prometheus.close();
            }
        } finally {
            if (lab != null) {
                lab.close();
            }
        }
    }

    @Test
    @Order(1)
    void everySchedulerAndAgentIsScrapedAndTheRulesAreLoaded() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode up = prometheus.query("up");
            assertThat(StreamSupport.stream(up.spliterator(), false)
                    .map(s -> s.path("metric").path("instance").asText() + "=" + s.path("value").get(1).asText())
                    .toList())
                    .as("up of every target; targets: %s", prometheus.targets())
                    .containsExactlyInAnyOrderElementsOf(targets.stream().map(t -> t + "=1").toList());
        });
        // The fabric's own metrics arrived, from both kinds of component.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(prometheus.value("sum(hvf_scheduler_is_leader)")).hasValue(1.0);
            assertThat(prometheus.value("max(hvf_hosts{state=\"READY\"})")).hasValue(2.0);
            assertThat(prometheus.value("count(count by (instance) (hvf_agent_heartbeats_total))")).hasValue(2.0);
        });
        assertThat(prometheus.value("max(hvf_hosts{state=\"DOWN\"})")).hasValue(0.0);
        assertThat(alert("HvfHostDown")).as("no host is down yet").isEmpty();
    }

    @Test
    @Order(2)
    void aLiveMigrationShowsInTheDurationAndDowntimeHistograms() {
        JsonNode result = hvctl.run("vsi", "migrate", VSI, "--to", "host-2", "--wait", "-o", "json").json();
        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("COMPLETED");
        double totalSeconds = result.path("totalMs").asLong() / 1000.0;
        double downtimeSeconds = result.path("downtimeMs").asLong() / 1000.0;

        // Only the leader drove it, so summing over both replicas counts it once.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(prometheus.value("sum(hvf_migration_duration_seconds_count{result=\"completed\"})"))
                    .hasValue(1.0);
            assertThat(prometheus.value("sum(hvf_migration_downtime_seconds_count)")).hasValue(1.0);
        });
        assertThat(prometheus.value("sum(hvf_migration_duration_seconds_sum{result=\"completed\"})").getAsDouble())
                .as("the recorded duration").isCloseTo(totalSeconds, offset(0.002))
                .isBetween(0.1, 120.0);
        assertThat(prometheus.value("sum(hvf_migration_downtime_seconds_sum)").getAsDouble())
                .as("the recorded downtime").isCloseTo(downtimeSeconds, offset(0.002))
                .isBetween(0.001, 5.0);
        // The bucket a 0.x s downtime falls in, and the label the HvfMigrationsFailing rule excludes.
        assertThat(prometheus.value("sum(hvf_migration_downtime_seconds_bucket{le=\"+Inf\"})")).hasValue(1.0);
        assertThat(prometheus.value("sum(hvf_migrations_total{result=\"completed\"})")).hasValue(1.0);
    }

    /**
     * The Grafana dashboard in the repo, as Grafana would ask: every panel's query is accepted by this Prometheus, and
     * the panels of the cluster's present state (term, leader, hosts, capacity, guests, heartbeats) and of the
     * migration just made (its duration and downtime totals) show data.
     */
    @Test
    @Order(3)
    void everyDashboardQueryRunsAndTheClusterPanelsShowData() throws IOException {
        Path file = RepoLayout.locate().root().resolve("ansible/roles/monitoring/files/hvfabric-dashboard.json");
        JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
        List<String> withData = List.of("Leader term", "Replicas leading", "Hosts by state",
                "Cluster capacity and allocation", "VSIs by guest state", "Agent heartbeats",
                "Migrations finished by result");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Map<String, Integer> samplesByPanel = new LinkedHashMap<>();
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    // Grafana's $__rate_interval is at least 4 scrape intervals; scrapes are 1 s apart here.
                    String expr = target.path("expr").asText().replace("$__rate_interval", "1m");
                    int samples = prometheus.query(expr).size(); // an invalid query fails in the HTTP answer
                    samplesByPanel.merge(panel.path("title").asText(), samples, Integer::sum);
                }
            }
            assertThat(samplesByPanel).as("queries per panel").hasSizeGreaterThanOrEqualTo(15)
                    .containsKeys(withData.toArray(String[]::new));
            for (String panel : withData) {
                assertThat(samplesByPanel.get(panel)).as("samples of panel '%s' (all: %s)", panel, samplesByPanel)
                        .isPositive();
            }
        });
    }

    @Test
    @Order(4)
    void aMigrationUnderWayShowsItsProgressAndItsSeriesGoWhenItEnds() {
        // 1 MiB/s keeps the idle guest's first pre-copy pass going for many scrapes; the test cancels it once seen.
        String id = hvctl.json("vsi", "migrate", VSI, "--to", "host-1", "--max-bandwidth", "1").path("id").asText();
        String selector = "{migration=\"" + id + "\",vsi=\"" + VSI + "\",from=\"host-2\",to=\"host-1\"}";
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(prometheus.value("max(hvf_migration_phase" + with(selector, "phase=\"PRECOPY\"") + ")"))
                        .hasValue(1.0);
                assertThat(positive("hvf_migration_data_processed_bytes" + selector)).isTrue();
                assertThat(positive("hvf_migration_data_remaining_bytes" + selector)).isTrue();
                assertThat(positive("hvf_migration_memory_transfer_rate_bytes_per_second" + selector)).isTrue();
            });
            // An idle guest in its first pass dirties nothing QEMU has measured yet: present, not negative.
            assertThat(prometheus.value("max(hvf_migration_dirty_memory_rate_bytes_per_second" + selector + ")")
                    .orElse(-1)).isGreaterThanOrEqualTo(0);
            assertThat(prometheus.value("max(hvf_migration_rung" + with(selector, "rung=\"precopy\"") + ")"))
                    .hasValue(1.0);
            // The other phases are there at 0: one series per phase, exactly one of them 1.
            assertThat(prometheus.value("count(hvf_migration_phase" + selector + ")")).hasValue(4.0);
            assertThat(prometheus.value("sum(hvf_migration_phase" + selector + ")")).hasValue(1.0);
            assertThat(prometheus.value("sum(hvf_migrations_in_flight{host=\"host-2\",role=\"source\"})"))
                    .hasValue(1.0);
        } finally {
            hvctl.run("migration", "cancel", id);
        }
        // Cancelled, or (if the cancel came too late) finished: either way it ended.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> List.of("CANCELLED",
                "COMPLETED", "FAILED", "ROLLED_BACK").contains(hvctl.json("migration", "show", id).path("phase")
                .asText()));
        // Removed from the exposition, so stale in Prometheus at the next scrape: nothing left of it.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(prometheus.query(
                "{__name__=~\"hvf_migration_.+\",migration=\"" + id + "\"}")).isEmpty());
        assertThat(prometheus.value("sum(hvf_migrations_in_flight{host=\"host-2\",role=\"source\"})")).hasValue(0.0);
    }

    @Test
    @Order(5)
    void killingAnAgentFiresHvfHostDown() {
        String metrics = hvctl.json("host", "show", "host-2").path("metricsAddress").asText();
        long killed = System.nanoTime();
        lab.lab().kill9("host-2");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(prometheus.value(
                "up{instance=\"" + metrics + "\"}")).as("the killed agent's target").hasValue(0.0));
        // Lease expiry, the 1 s exporter, a 1 s scrape and the shortened `for:` all fit in the bound.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertThat(
                alert("HvfHostDown")).extracting(a -> a.path("state").asText()).containsExactly("firing"));
        JsonNode firing = alert("HvfHostDown").get(0);
        assertThat(firing.path("labels").path("severity").asText()).isEqualTo("critical");
        assertThat(firing.path("annotations").path("summary").asText()).isEqualTo("1 host(s) DOWN");
        System.out.printf("PrometheusIT: HvfHostDown firing %d s after the kill%n",
                Duration.ofNanos(System.nanoTime() - killed).toSeconds());
    }

    private static List<JsonNode> alert(String name) {
        List<JsonNode> found = new ArrayList<>();
        prometheus.alerts().forEach(a -> {
            if (name.equals(a.path("labels").path("alertname").asText())) {
                found.add(a);
            }
        });
        return found;
    }

    private static boolean positive(String series) {
        OptionalDouble v = prometheus.value("max(" + series + ")");
        return v.isPresent() && v.getAsDouble() > 0;
    }

    private static String with(String selector, String matcher) {
        return selector.substring(0, selector.length() - 1) + "," + matcher + "}";
    }

    private static List<String> addresses(JsonNode components) {
        List<String> out = new ArrayList<>();
        components.forEach(c -> out.add(c.path("metricsAddress").asText()));
        assertThat(out).as("metricsAddress of %s", components).allMatch(a -> a.matches("[0-9.]+:\\d+"));
        return out;
    }

    /**
     * The repository's alert rules as they are, but for HvfHostDown's {@code for:}, shortened from a minute to
     * {@link #HOST_DOWN_FOR} so the test waits seconds, not minutes.
     */
    private static Path rulesWithShortHostDown(Path dir) throws IOException {
        Path rules = RepoLayout.locate().root().resolve("ansible/roles/monitoring/files/hvfabric-alerts.yml");
        List<String> lines = new ArrayList<>(Files.readAllLines(rules));
        int alert = lines.indexOf("      - alert: HvfHostDown");
        assertThat(alert).as("HvfHostDown in %s", rules).isNotNegative();
        int forLine = alert + 2;
        assertThat(lines.get(forLine)).as("HvfHostDown's for: line").isEqualTo("        for: 1m");
        lines.set(forLine, "        for: " + HOST_DOWN_FOR);
        Path copy = Files.createDirectories(dir).resolve("hvfabric-alerts.yml");
        Files.write(copy, lines);
        return copy;
    }
}
