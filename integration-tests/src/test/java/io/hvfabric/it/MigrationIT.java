package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hvfabric.it.support.Hvctl;
import io.hvfabric.it.support.Shell;
import io.hvfabric.it.support.TestLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Live migration of real QEMU guests between lab hosts (network namespaces), over TLS with the fabric's
 * certificates: continuity of the guest, exactly one running copy after every failure, refusals.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationIT {
    private static final Pattern TICK = Pattern.compile("hvf-tick (\\d+) uptime=([0-9.]+)");
    private static TestLab lab;
    private static Hvctl hvctl;

    @BeforeAll
    static void up() throws Exception {
        lab = TestLab.up(3, List.of());
        hvctl = lab.hvctl();
        // Continuity is checked on a guest without the dirty workload: QEMU 7.2's TCG migration sometimes corrupts a
        // guest that keeps memory dirty (reproduced with bare QEMU, see bench/RESULTS.md); the dirty-guest case is
        // exercised by the convergence test below, which checks the outcome and exactly one running copy.
        hvctl.ok("vsi", "create", "mig-1", "--vcpus", "1", "--memory", "256", "--host", "host-1", "--wait");
        awaitTicks("mig-1", 3);
        // An idle guest for the failure cases: mostly zero pages, so a low bandwidth cap keeps pre-copy going for
        // seconds without the policy giving up on convergence.
        hvctl.ok("vsi", "create", "slow-1", "--vcpus", "1", "--memory", "256", "--host", "host-1", "--wait");
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void aRunningGuestMovesAndKeepsCountingAndMovesBack() {
        long there = moveAndCheck("host-1", "host-2");
        long back = moveAndCheck("host-2", "host-1");
        // The default objective is 300 ms of downtime. Each pause is bounded loosely above (a loaded 2-core CI machine
        // can stretch one); the better of the two must meet the objective. The benchmark tracks every migration.
        assertThat(Math.min(there, back)).as("downtime there %d ms, back %d ms", there, back).isLessThanOrEqualTo(300);
    }

    /** @return the recorded downtime in ms */
    private static long moveAndCheck(String from, String to) {
        long[] before = lastTick("mig-1");
        long fromAllocBefore = allocatedMib(from);
        long toAllocBefore = allocatedMib(to);

        JsonNode result = hvctl.run("vsi", "migrate", "mig-1", "--to", to, "--wait", "-o", "json").json();
        assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("COMPLETED");
        assertThat(result.path("name").asText()).isEqualTo("mig-1");
        assertThat(result.path("from").asText()).isEqualTo(from);
        assertThat(result.path("to").asText()).isEqualTo(to);
        // The whole pause (QEMU's stop-and-copy plus the fabric's switchover) is measured and recorded.
        long downtimeMs = result.path("downtimeMs").asLong();
        assertThat(downtimeMs).isBetween(1L, 2000L);
        assertThat(result.path("totalMs").asLong()).isPositive();
        assertThat(result.path("transferredBytes").asLong()).isPositive();
        assertThat(result.path("rounds").asLong()).isPositive();
        assertThat(result.path("memoryMib").asLong()).isEqualTo(256);
        // The lab is mTLS: the stream is encrypted, carried by the agents' tunnel (QEMU holds no key).
        assertThat(result.path("tls").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.toString()).contains("target listening at tunnel:");

        JsonNode vsi = hvctl.json("vsi", "show", "mig-1");
        assertThat(vsi.path("host").asText()).isEqualTo(to);
        await().atMost(Duration.ofSeconds(30)).until(() -> state("mig-1").equals("RUNNING"));
        await().atMost(Duration.ofSeconds(30)).until(() -> Shell.qemuCount("mig-1") == 1);
        // The counter goes on from where it was (no reboot: no reset, uptime keeps increasing).
        await().atMost(Duration.ofSeconds(60)).until(() -> lastTick("mig-1")[0] > before[0] + 1);
        long[] after = lastTick("mig-1");
        assertThat(after[1]).as("uptime (centiseconds) keeps increasing").isGreaterThan(before[1]);
        assertThat(hvctl.run("vsi", "console", "mig-1").out()).doesNotContain("hvf-boot");
        assertThat(allocatedMib(from)).isEqualTo(fromAllocBefore - 256);
        assertThat(allocatedMib(to)).isEqualTo(toAllocBefore + 256);
        return downtimeMs;
    }

    @Test
    @Order(2)
    void cancelDuringPrecopyLeavesTheGuestOnTheSource() {
        String id = startSlowMigration("host-3");
        awaitPhase(id, "PRECOPY");
        hvctl.ok("migration", "cancel", id);
        awaitPhase(id, "CANCELLED");
        assertStillOnSourceExactlyOnce("host-1", "host-3");
    }

    @Test
    @Order(3)
    void killingTheTargetAgentDuringPrecopyRollsBack() {
        String id = startSlowMigration("host-3");
        awaitPhase(id, "PRECOPY");
        lab.lab().kill9("host-3");
        awaitTerminal(id);
        assertThat(migration(id).path("phase").asText()).isIn("ROLLED_BACK", "FAILED");
        lab.lab().restart("host-3");
        lab.lab().awaitHostsReady(Duration.ofSeconds(120));
        assertStillOnSourceExactlyOnce("host-1", "host-3");
    }

    @Test
    @Order(4)
    void killingTheLeaderDuringAMigrationLeavesExactlyOneRunningCopy() {
        String leader = hvctl.json("cluster", "status").path("leader").asText();
        String id = startSlowMigration("host-2");
        awaitPhase(id, "PRECOPY");
        lab.lab().kill9(leader);
        awaitTerminal(id);
        String phase = migration(id).path("phase").asText();
        assertThat(phase).isIn("COMPLETED", "ROLLED_BACK", "FAILED");
        String owner = phase.equals("COMPLETED") ? "host-2" : "host-1";
        awaitRunningExactlyOnce("slow-1");
        assertThat(hvctl.json("vsi", "show", "slow-1").path("host").asText()).isEqualTo(owner);
        lab.lab().restart(leader);
        if (owner.equals("host-2")) {
            hvctl.run("vsi", "migrate", "slow-1", "--to", "host-1", "--wait");
        }
    }

    @Test
    @Order(5)
    void aGuestDirtyingFasterThanTheCapClimbsTheLadderAndSaysWhy() {
        hvctl.ok("vsi", "create", "hot-1", "--vcpus", "1", "--memory", "256", "--host", "host-1",
                "--kernel-args", "hvf.dirty=96", "--wait");
        awaitTicks("hot-1", 2);
        Hvctl.Result r = hvctl.run("vsi", "migrate", "hot-1", "--to", "host-2", "--max-bandwidth", "16",
                "--wait", "-o", "json");
        JsonNode result = r.json();
        assertThat(result.path("status").asText()).isIn("COMPLETED", "FAILED", "ROLLED_BACK");
        assertThat(result.path("rung").asText()).as(result.toString()).isNotEmpty().isNotEqualTo("precopy");
        assertThat(result.path("reason").asText()).as(result.toString()).isNotEmpty();
        awaitRunningExactlyOnce("hot-1");
        hvctl.ok("vsi", "delete", "hot-1");
    }

    @Test
    @Order(6)
    void refusalsChangeNothing() {
        String here = hvctl.json("vsi", "show", "mig-1").path("host").asText();
        record Case(List<String> args, int exit, String mentions) {}
        List<Case> cases = List.of(
                new Case(List.of("vsi", "migrate", "mig-1", "--to", here), 2, "already runs"),
                new Case(List.of("vsi", "migrate", "mig-1", "--to", "host-9"), 1, "not found"),
                new Case(List.of("vsi", "migrate", "nope", "--to", "host-2"), 1, "not found"),
                new Case(List.of("vsi", "migrate", "mig-1", "--max-bandwidth", "-1"), 2, "max-bandwidth"),
                // refused before any record or reservation is written (it used to leave a PENDING migration)
                new Case(List.of("vsi", "migrate", "mig-1", "--max-bandwidth", "9000000000000"), 2,
                        "max_bandwidth_mibps"));
        for (Case c : cases) {
            Hvctl.Result r = hvctl.run(c.args().toArray(String[]::new));
            assertThat(r.exitCode()).as(c.args().toString()).isEqualTo(c.exit());
            assertThat(r.errLines()).as(c.args().toString()).hasSize(1);
            assertThat(r.err()).contains(c.mentions());
        }
        // A stopped VSI does not migrate.
        hvctl.ok("vsi", "create", "idle-1", "--vcpus", "1", "--memory", "128", "--host", "host-2", "--wait");
        hvctl.ok("vsi", "stop", "idle-1");
        await().atMost(Duration.ofSeconds(40)).until(() -> state("idle-1").equals("STOPPED"));
        Hvctl.Result stopped = hvctl.run("vsi", "migrate", "idle-1", "--to", "host-3");
        assertThat(stopped.exitCode()).isEqualTo(1);
        assertThat(stopped.err()).contains("only RUNNING");
        // A full host is refused with the binding dimension.
        long free = capacityMib("host-3") - allocatedMib("host-3");
        hvctl.ok("vsi", "create", "filler", "--vcpus", "1", "--memory", String.valueOf(free - 128), "--host", "host-3");
        Hvctl.Result full = hvctl.run("vsi", "migrate", "mig-1", "--to", "host-3");
        assertThat(full.exitCode()).isEqualTo(1);
        assertThat(full.err()).contains("resource exhausted").contains("memory");
        hvctl.ok("vsi", "delete", "filler");
        // A DOWN host is refused.
        lab.lab().kill9("host-3");
        await().atMost(Duration.ofSeconds(20)).until(() -> hvctl.json("host", "show", "host-3").path("state")
                .asText().equals("DOWN"));
        Hvctl.Result down = hvctl.run("vsi", "migrate", "mig-1", "--to", "host-3");
        assertThat(down.exitCode()).isEqualTo(1);
        assertThat(down.err()).contains("DOWN");
        lab.lab().restart("host-3");
        assertThat(hvctl.json("vsi", "show", "mig-1").path("host").asText()).isEqualTo(here);
        assertThat(hvctl.json("migration", "list", "--active")).isEmpty();
    }

    private static String startSlowMigration(String to) {
        // A low cap keeps pre-copy going for several seconds, long enough to interfere with it.
        return hvctl.json("vsi", "migrate", "slow-1", "--to", to, "--max-bandwidth", "4").path("id").asText();
    }

    private static void assertStillOnSourceExactlyOnce(String source, String target) {
        awaitRunningExactlyOnce("slow-1");
        assertThat(hvctl.json("vsi", "show", "slow-1").path("host").asText()).isEqualTo(source);
        JsonNode targetHost = hvctl.json("host", "show", target);
        assertThat(targetHost.path("vsis").toString()).doesNotContain("slow-1");
        long[] before = lastTick("slow-1");
        await().atMost(Duration.ofSeconds(30)).until(() -> lastTick("slow-1")[0] > before[0]);
    }

    /** Fails with what the fabric and the OS say of the VSI, so a CI log shows which half of the invariant broke. */
    private static void awaitRunningExactlyOnce(String name) {
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> state(name).equals("RUNNING")
                    && Shell.qemuCount(name) == 1);
        } catch (ConditionTimeoutException e) {
            Hvctl.Result show = hvctl.run("vsi", "show", name, "-o", "json");
            throw new AssertionError(name + " not RUNNING exactly once within 60 s: " + Shell.qemuCount(name)
                    + " QEMU processes; vsi show: " + show.out().replaceAll("\\s+", " ") + show.err(), e);
        }
    }

    private static JsonNode migration(String id) {
        return hvctl.json("migration", "show", id);
    }

    private static void awaitPhase(String id, String phase) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> migration(id).path("phase").asText().equals(phase));
    }

    private static void awaitTerminal(String id) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> List.of(
                "COMPLETED", "FAILED", "ROLLED_BACK", "CANCELLED").contains(migration(id).path("phase").asText()));
    }

    private static String state(String name) {
        Hvctl.Result r = hvctl.run("vsi", "show", name, "-o", "json");
        return r.exitCode() == 0 ? r.json().path("state").asText() : "ERROR";
    }

    private static long allocatedMib(String host) {
        return hvctl.json("host", "show", host).path("allocated").path("memoryMib").asLong();
    }

    private static long capacityMib(String host) {
        return hvctl.json("host", "show", host).path("capacity").path("memoryMib").asLong();
    }

    private static void awaitTicks(String name, int count) {
        await().atMost(Duration.ofSeconds(90)).until(() -> ticks(name).size() >= count);
    }

    /** The last tick on the VSI's current console: {counter, uptime in centiseconds}. */
    private static long[] lastTick(String name) {
        List<long[]> ticks = ticks(name);
        return ticks.isEmpty() ? new long[] {0, 0} : ticks.get(ticks.size() - 1);
    }

    private static List<long[]> ticks(String name) {
        String console = hvctl.run("vsi", "console", name).out();
        List<long[]> ticks = new ArrayList<>();
        Matcher m = TICK.matcher(console);
        while (m.find()) {
            ticks.add(new long[] {Long.parseLong(m.group(1)), Math.round(Double.parseDouble(m.group(2)) * 100)});
        }
        return ticks;
    }
}
