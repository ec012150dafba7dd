package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hvfabric.it.support.Hvctl;
import io.hvfabric.it.support.Metrics;
import io.hvfabric.it.support.Shell;
import io.hvfabric.it.support.TestLab;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/** Maintenance drains and rebalancing with real guests in a 3-host lab. */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrainIT {
    private static final Pattern TICK = Pattern.compile("hvf-tick (\\d+) uptime");
    private static final List<String> ON_HOST_1 = List.of("app-1", "app-2", "app-3");
    private static TestLab lab;
    private static Hvctl hvctl;

    @BeforeAll
    static void up() throws Exception {
        lab = TestLab.up(3, List.of());
        hvctl = lab.hvctl();
        // Large enough against a host that moving them changes the balance visibly (memory is reserved, not touched).
        for (String name : ON_HOST_1) {
            hvctl.ok("vsi", "create", name, "--vcpus", "1", "--memory", "3072", "--host", "host-1", "--wait");
        }
        hvctl.ok("vsi", "create", "web-2", "--vcpus", "1", "--memory", "3072", "--host", "host-2", "--wait");
        hvctl.ok("vsi", "create", "web-3", "--vcpus", "1", "--memory", "3072", "--host", "host-3", "--wait");
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void aDryRunPrintsThePlanAndMovesNothing() {
        Hvctl.Result r = hvctl.ok("host", "drain", "host-1", "--dry-run");
        for (String name : ON_HOST_1) {
            assertThat(r.out()).contains(name);
            assertThat(hvctl.json("vsi", "show", name).path("host").asText()).isEqualTo("host-1");
        }
        assertThat(hvctl.json("host", "show", "host-1").path("state").asText()).isEqualTo("READY");
    }

    @Test
    @Order(2)
    void drainingAHostMovesEveryGuestLiveAndLeavesItInMaintenance() {
        long[] before = ON_HOST_1.stream().mapToLong(DrainIT::lastTick).toArray();
        JsonNode drain = hvctl.run("host", "drain", "host-1", "--wait", "-o", "json").json();
        assertThat(drain.path("phase").asText()).as(drain.toString()).isEqualTo("COMPLETED");
        JsonNode host = hvctl.json("host", "show", "host-1");
        assertThat(host.path("state").asText()).isEqualTo("MAINTENANCE");
        assertThat(host.path("vsiCount").asInt()).isZero();
        for (int i = 0; i < ON_HOST_1.size(); i++) {
            String name = ON_HOST_1.get(i);
            JsonNode vsi = hvctl.json("vsi", "show", name);
            assertThat(vsi.path("host").asText()).isNotEqualTo("host-1");
            assertThat(vsi.path("state").asText()).isEqualTo("RUNNING");
            long previous = before[i];
            await().atMost(Duration.ofSeconds(60)).until(() -> lastTick(name) > previous);
            assertThat(Shell.qemuCount(name)).isEqualTo(1);
        }
        // The leader's /metrics saw it: the drain by phase, the migrations and their downtime.
        String metrics = Metrics.scrape(leaderMetricsAddress());
        assertThat(Metrics.value(metrics, "hvf_drains{phase=\"COMPLETED\"}")).hasValue(1.0);
        assertThat(Metrics.value(metrics, "hvf_drains{phase=\"RUNNING\"}")).hasValue(0.0);
        assertThat(Metrics.value(metrics, "hvf_migrations_total{result=\"completed\"}").orElse(0))
                .isGreaterThanOrEqualTo(ON_HOST_1.size());
        assertThat(Metrics.value(metrics, "hvf_migration_downtime_seconds_count").orElse(0))
                .isGreaterThanOrEqualTo(ON_HOST_1.size());
        hvctl.ok("host", "uncordon", "host-1");
        assertThat(hvctl.json("host", "show", "host-1").path("state").asText()).isEqualTo("READY");
    }

    private static String leaderMetricsAddress() {
        for (JsonNode replica : hvctl.json("cluster", "status").path("replicas")) {
            if (replica.path("leader").asBoolean()) {
                return replica.path("metricsAddress").asText();
            }
        }
        throw new AssertionError("no leader in cluster status");
    }

    @Test
    @Order(3)
    void afterAnUncordonTheRebalancerMovesTowardBalanceAndThenStaysPut() {
        JsonNode plan = hvctl.json("rebalance", "--dry-run");
        assertThat(plan.path("movesCount").isMissingNode() ? plan.path("moves").size() : 0).isPositive();
        assertThat(plan.path("imbalanceAfter").asDouble()).isLessThan(plan.path("imbalanceBefore").asDouble());

        JsonNode done = hvctl.run("rebalance", "--wait", "-o", "json").json();
        assertThat(done.path("moves").size()).isPositive();
        await().atMost(Duration.ofSeconds(60)).until(() -> hvctl.json("migration", "list", "--active").isEmpty());
        assertThat(hvctl.json("host", "show", "host-1").path("vsiCount").asInt()).isPositive();
        // Several more passes propose nothing: no flapping.
        for (int i = 0; i < 3; i++) {
            assertThat(hvctl.json("rebalance", "--dry-run").path("moves").size()).as("pass " + i).isZero();
        }
    }

    @Test
    @Order(4)
    void aDrainThatCannotMoveEverythingEndsPartialAndLosesNothing() {
        for (int i = 1; i <= 3; i++) {
            hvctl.ok("vsi", "create", "aa-" + i, "--vcpus", "1", "--memory", "128", "--anti-affinity", "aa", "--wait");
        }
        String pinned = hvctl.json("vsi", "show", "aa-1").path("host").asText();
        JsonNode drain = hvctl.run("host", "drain", pinned, "--wait", "-o", "json").json();
        assertThat(drain.path("phase").asText()).as(drain.toString()).isEqualTo("PARTIAL");
        assertThat(drain.toString()).contains("aa-1").contains("UNMOVABLE");
        assertThat(hvctl.json("vsi", "show", "aa-1").path("host").asText()).isEqualTo(pinned);
        for (JsonNode vsi : hvctl.json("vsi", "list")) {
            String name = vsi.path("name").asText();
            assertThat(vsi.path("state").asText()).as(name).isEqualTo("RUNNING");
            assertThat(Shell.qemuCount(name)).as(name).isEqualTo(1);
        }
        hvctl.ok("host", "uncordon", pinned);
        for (int i = 1; i <= 3; i++) {
            hvctl.ok("vsi", "delete", "aa-" + i);
        }
    }

    @Test
    @Order(5)
    void aDrainCarriesOnUnderANewLeader() {
        String target = hvctl.json("vsi", "show", "app-1").path("host").asText();
        hvctl.ok("host", "drain", target);
        await().atMost(Duration.ofSeconds(60)).until(() -> !hvctl.json("migration", "list", "--active").isEmpty());
        String leader = hvctl.json("cluster", "status").path("leader").asText();
        lab.lab().kill9(leader);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            Hvctl.Result r = hvctl.run("drain", "show", target, "-o", "json");
            return r.exitCode() == 0 && List.of("COMPLETED", "PARTIAL").contains(r.json().path("phase").asText());
        });
        JsonNode drain = hvctl.json("drain", "show", target);
        assertThat(drain.path("phase").asText()).as(drain.toString()).isEqualTo("COMPLETED");
        assertThat(hvctl.json("host", "show", target).path("vsiCount").asInt()).isZero();
        for (JsonNode vsi : hvctl.json("vsi", "list")) {
            assertThat(Shell.qemuCount(vsi.path("name").asText())).as(vsi.path("name").asText()).isEqualTo(1);
        }
        lab.lab().restart(leader);
    }

    private static long lastTick(String name) {
        Matcher m = TICK.matcher(hvctl.run("vsi", "console", name, "--tail", "4000").out());
        long last = 0;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }
}
