package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.it.support.Hvctl;
import io.hvfabric.it.support.LabKeys;
import io.hvfabric.it.support.Shell;
import io.hvfabric.it.support.TestLab;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.VsiSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/** VSIs as real QEMU guests in a 3-host lab: placement, lifecycle, isolation of failures, admission control. */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VsiIT {
    private static final Pattern TICK = Pattern.compile("hvf-tick (\\d+) uptime=([0-9.]+)");
    private static TestLab lab;
    private static Hvctl hvctl;

    @BeforeAll
    static void up() throws Exception {
        lab = TestLab.up(3, List.of());
        hvctl = lab.hvctl();
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void fourVsisBootAndSpreadAcrossTheHosts() {
        for (int i = 1; i <= 4; i++) {
            JsonNode vsi = hvctl.json("vsi", "create", "web-" + i, "--vcpus", "1", "--memory", "128", "--wait");
            assertThat(vsi.path("state").asText()).isEqualTo("RUNNING");
        }
        JsonNode list = hvctl.json("vsi", "list");
        assertThat(list).hasSize(4);
        Map<String, String> hosts = hostsByVsi(list);
        // Spread: the first three land on three different hosts; the fourth joins one of them.
        assertThat(Set.of(hosts.get("web-1"), hosts.get("web-2"), hosts.get("web-3"))).hasSize(3);
        for (int i = 1; i <= 4; i++) {
            assertTicking("web-" + i);
            assertThat(Shell.qemuCount("web-" + i)).as("web-" + i + " QEMU processes").isEqualTo(1);
        }
        JsonNode host = hvctl.json("host", "show", hosts.get("web-1"));
        assertThat(StreamSupport.stream(host.path("vsis").spliterator(), false).map(JsonNode::asText))
                .contains("web-1");
        assertThat(host.path("allocated").path("vcpus").asInt()).isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(2)
    void antiAffinityKeepsAGroupOnDistinctHostsAndRefusesWhatCannotBeSpread() {
        for (int i = 1; i <= 3; i++) {
            hvctl.ok("vsi", "create", "db-" + i, "--vcpus", "1", "--memory", "128", "--anti-affinity", "db");
        }
        Map<String, String> hosts = hostsByVsi(hvctl.json("vsi", "list"));
        assertThat(Set.of(hosts.get("db-1"), hosts.get("db-2"), hosts.get("db-3"))).hasSize(3);
        Hvctl.Result fourth = hvctl.run("vsi", "create", "db-4", "--vcpus", "1", "--memory", "128",
                "--anti-affinity", "db");
        assertThat(fourth.exitCode()).isEqualTo(1);
        assertThat(fourth.err()).contains("resource exhausted");
        assertNothingStored("db-4");
        for (int i = 1; i <= 3; i++) {
            hvctl.ok("vsi", "delete", "db-" + i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Shell.qemuCount("db-1") + Shell.qemuCount("db-2")
                + Shell.qemuCount("db-3") == 0);
    }

    @Test
    @Order(3)
    void stopEndsTheGuestAndStartBootsItAgain() {
        long pid = hvctl.json("vsi", "show", "web-1").path("pid").asLong();
        hvctl.ok("vsi", "stop", "web-1");
        await().atMost(Duration.ofSeconds(40)).until(() -> state("web-1").equals("STOPPED"));
        assertThat(Shell.processAlive(pid)).isFalse();
        assertThat(Shell.qemuCount("web-1")).isZero();

        hvctl.ok("vsi", "start", "web-1");
        await().atMost(Duration.ofSeconds(60)).until(() -> state("web-1").equals("RUNNING"));
        assertThat(hvctl.json("vsi", "show", "web-1").path("pid").asLong()).isNotEqualTo(pid);
        assertTicking("web-1");
    }

    @Test
    @Order(4)
    void deleteFreesTheCapacityAndRemovesTheGuest() {
        String host = hvctl.json("vsi", "show", "web-4").path("host").asText();
        JsonNode before = hvctl.json("host", "show", host).path("allocated");
        hvctl.ok("vsi", "delete", "web-4");
        JsonNode after = hvctl.json("host", "show", host).path("allocated");
        assertThat(after.path("vcpus").asInt()).isEqualTo(before.path("vcpus").asInt() - 1);
        assertThat(after.path("memoryMib").asLong()).isEqualTo(before.path("memoryMib").asLong() - 128);
        assertNothingStored("web-4");
        await().atMost(Duration.ofSeconds(30)).until(() -> Shell.qemuCount("web-4") == 0);
    }

    @Test
    @Order(5)
    void aRestartedAgentAdoptsItsRunningGuestsWithoutDuplicatingThem() {
        JsonNode vsi = hvctl.json("vsi", "show", "web-2");
        String host = vsi.path("host").asText();
        long pid = vsi.path("pid").asLong();
        lab.lab().kill9(host);
        assertThat(Shell.processAlive(pid)).as("the guest outlives its agent").isTrue();
        lab.lab().restart(host);
        lab.lab().awaitHostsReady(Duration.ofSeconds(90));
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30))
                .until(() -> state("web-2").equals("RUNNING"));
        assertThat(hvctl.json("vsi", "show", "web-2").path("pid").asLong()).isEqualTo(pid);
        assertThat(Shell.qemuCount("web-2")).isEqualTo(1);
        assertTicking("web-2");
    }

    @Test
    @Order(6)
    void badInputIsRefusedWithTheFieldAndTheRuleAndNothingIsStoredOrStarted() {
        record Case(String name, List<String> args, int exit, String mentions) {}
        List<Case> cases = List.of(
                new Case("Bad_Name", List.of("--vcpus", "1", "--memory", "128"), 2, "name"),
                new Case("x".repeat(64), List.of("--vcpus", "1", "--memory", "128"), 2, "name"),
                new Case("zero-cpu", List.of("--vcpus", "0", "--memory", "128"), 2, "vcpus"),
                new Case("huge-cpu", List.of("--vcpus", "4096", "--memory", "128"), 2, "vcpus"),
                new Case("tiny-mem", List.of("--vcpus", "1", "--memory", "32"), 2, "memory"),
                new Case("no-image", List.of("--vcpus", "1", "--memory", "128", "--image", "nope"), 1, "image"),
                new Case("no-host", List.of("--vcpus", "1", "--memory", "128", "--host", "host-9"), 1, "host"),
                new Case("web-1", List.of("--vcpus", "1", "--memory", "128"), 1, "already exists"),
                new Case("too-big", List.of("--vcpus", "1", "--memory", "1000000"), 1, "memory"),
                new Case("over-bound", List.of("--vcpus", "1", "--memory", "99999999"), 2, "memory_mib"),
                new Case("n".repeat(10_000), List.of("--vcpus", "1", "--memory", "128"), 2, "name"));
        int before = hvctl.json("vsi", "list").size();
        for (Case c : cases) {
            List<String> args = new ArrayList<>(List.of("vsi", "create", c.name()));
            args.addAll(c.args());
            Hvctl.Result r = hvctl.run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(c.name()).isEqualTo(c.exit());
            assertThat(r.errLines()).as(c.name()).hasSize(1);
            assertThat(r.err()).as(c.name()).contains(c.mentions()).doesNotContain("Exception");
            if (!c.name().equals("web-1")) {
                assertNothingStored(c.name());
            }
        }
        assertThat(hvctl.json("vsi", "list")).hasSize(before);
    }

    @Test
    @Order(7)
    void concurrentCreatesNeverOverbookAHost() throws Exception {
        // Each VSI needs more than half of a host's free memory: exactly one fits per host.
        JsonNode hosts = hvctl.json("host", "list");
        long minFree = Long.MAX_VALUE;
        for (JsonNode h : hosts) {
            minFree = Math.min(minFree, h.path("capacity").path("memoryMib").asLong()
                    - h.path("allocated").path("memoryMib").asLong());
        }
        long memory = minFree / 2 + 64;
        int expected = 0;
        for (JsonNode h : hosts) {
            long free = h.path("capacity").path("memoryMib").asLong() - h.path("allocated").path("memoryMib").asLong();
            expected += (int) (free / memory);
        }
        ManagedChannel channel = GrpcTls.channel(lab.lab().schedulerEndpoints().get(0),
                Optional.of(LabKeys.of(lab.lab(), "operator")));
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Future<Status.Code>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                String name = "burst-" + i;
                results.add(pool.submit(() -> {
                    try {
                        OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                                .createVsi(CreateVsiRequest.newBuilder().setSpec(VsiSpec.newBuilder()
                                        .setName(name).setVcpus(1).setMemoryMib(memory)).build());
                        return Status.Code.OK;
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode();
                    }
                }));
            }
            Map<Status.Code, Integer> counts = new HashMap<>();
            for (Future<Status.Code> f : results) {
                counts.merge(f.get(90, TimeUnit.SECONDS), 1, Integer::sum);
            }
            assertThat(counts.getOrDefault(Status.Code.OK, 0)).isEqualTo(expected);
            assertThat(counts.getOrDefault(Status.Code.RESOURCE_EXHAUSTED, 0)).isEqualTo(50 - expected);
        } finally {
            pool.shutdownNow();
            channel.shutdownNow();
        }
        for (JsonNode h : hvctl.json("host", "list")) {
            assertThat(h.path("allocated").path("memoryMib").asLong()).as(h.path("id").asText())
                    .isLessThanOrEqualTo(h.path("capacity").path("memoryMib").asLong());
        }
        Set<String> admitted = new HashSet<>();
        for (JsonNode v : hvctl.json("vsi", "list")) {
            if (v.path("name").asText().startsWith("burst-")) {
                admitted.add(v.path("name").asText());
            }
        }
        assertThat(admitted).hasSize(expected);
        for (String name : admitted) {
            hvctl.ok("vsi", "delete", name);
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() -> admitted.stream().mapToLong(Shell::qemuCount).sum() == 0);
    }

    private static void assertNothingStored(String name) {
        Hvctl.Result show = hvctl.run("vsi", "show", name);
        assertThat(show.exitCode()).as("vsi " + name + " must not exist").isEqualTo(1);
        assertThat(Shell.qemuCount(name)).as("QEMU for " + name).isZero();
    }

    private static String state(String name) {
        Hvctl.Result r = hvctl.run("vsi", "show", name, "-o", "json");
        return r.exitCode() == 0 ? r.json().path("state").asText() : "ERROR";
    }

    private static Map<String, String> hostsByVsi(JsonNode list) {
        Map<String, String> hosts = new HashMap<>();
        for (JsonNode v : list) {
            hosts.put(v.path("name").asText(), v.path("host").asText());
        }
        return hosts;
    }

    /** The console shows the boot marker and a tick counter that goes up. */
    private static void assertTicking(String name) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            String console = hvctl.run("vsi", "console", name).out();
            if (!console.contains("hvf-boot")) {
                return false;
            }
            List<Long> ticks = new ArrayList<>();
            Matcher m = TICK.matcher(console);
            while (m.find()) {
                ticks.add(Long.parseLong(m.group(1)));
            }
            return ticks.size() >= 2 && ticks.get(ticks.size() - 1) > ticks.get(0);
        });
    }
}
