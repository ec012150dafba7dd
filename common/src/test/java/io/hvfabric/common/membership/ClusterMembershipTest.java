package io.hvfabric.common.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hvfabric.common.error.FabricException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.actor.AddressFromURIString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ClusterMembershipTest {
    private static final String HOST = "127.0.0.1";

    private final List<ClusterMembership> members = new ArrayList<>();
    private Process crashable;
    private Path crashableLog;

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        if (crashable != null) {
            crashable.destroyForcibly();
            crashable.waitFor(10, TimeUnit.SECONDS);
        }
        for (ClusterMembership m : members) {
            m.close();
        }
        if (crashableLog != null) {
            String childLog = Files.readString(crashableLog);
            if (childLog.contains("Exception") || childLog.contains("ERROR")) {
                System.err.println("member process log:\n" + childLog);
            }
            Files.deleteIfExists(crashableLog);
        }
    }

    // Bounds are generous for a loaded 2-core machine; unloaded, this takes about 30 s.
    @Test
    @Timeout(90)
    void crashedAgentBecomesUnreachableAndItsNewIncarnationRejoins() throws Exception {
        int schedulerPort = freePort();
        int crashPort = freePort();
        String seed = HOST + ":" + schedulerPort;
        ClusterMembership scheduler = join(schedulerPort, "scheduler", "s1", seed);
        crashable = startMemberProcess(crashPort, "agent", "h2", seed);
        ClusterMembership agent1 = join(freePort(), "agent", "h1", seed);

        for (ClusterMembership view : List.of(scheduler, agent1)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(view.members())
                    .extracting(m -> m.kind() + "/" + m.id() + "/" + m.status() + "/" + m.reachable())
                    .containsExactlyInAnyOrder("scheduler/s1/Up/true", "agent/h1/Up/true", "agent/h2/Up/true"));
        }
        assertThat(scheduler.memberFor("agent", "h2")).get()
                .extracting(MemberView::address).isEqualTo("pekko://hvfabric@" + HOST + ":" + crashPort);
        assertThat(scheduler.reachabilityOf("agent", "h2")).isEqualTo(MemberView.REACHABLE);

        crashable.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(scheduler.reachabilityOf("agent", "h2")).isIn(MemberView.UNREACHABLE, MemberView.ABSENT));
        // The crash costs only the agent: the scheduler and the other agent stay Up.
        assertThat(scheduler.reachabilityOf("scheduler", "s1")).isEqualTo(MemberView.REACHABLE);
        assertThat(scheduler.reachabilityOf("agent", "h1")).isEqualTo(MemberView.REACHABLE);

        // Same host:port, new incarnation: admitted once the old one is downed (SBR stable-after, 10 s).
        ClusterMembership restarted = join(crashPort, "agent", "h2", seed);
        await().atMost(Duration.ofSeconds(25)).untilAsserted(() -> {
            assertThat(scheduler.memberFor("agent", "h2")).get()
                    .matches(m -> m.isUp() && m.reachable(), "Up and reachable");
            assertThat(restarted.self().isUp()).isTrue();
        });
    }

    @Test
    @Timeout(90)
    void memberDownedByTheClusterRejoinsByItself() throws Exception {
        int schedulerPort = freePort();
        String seed = HOST + ":" + schedulerPort;
        ClusterMembership scheduler = join(schedulerPort, "scheduler", "s1", seed);
        ClusterMembership agent = join(freePort(), "agent", "h1", seed);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(scheduler.memberFor("agent", "h1")).get().matches(MemberView::isUp, "Up"));

        Cluster.get(scheduler.actorSystem()).manager()
                .tell(new Down(AddressFromURIString.parse(agent.selfAddress())));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(scheduler.reachabilityOf("agent", "h1")).isEqualTo(MemberView.ABSENT));
        await().atMost(Duration.ofSeconds(25)).untilAsserted(() -> {
            assertThat(scheduler.memberFor("agent", "h1")).get().matches(m -> m.isUp() && m.reachable(), "Up");
            assertThat(agent.self().isUp()).isTrue();
        });
    }

    @Test
    void invalidConfigNamesTheField() {
        assertThatThrownBy(() -> MembershipConfig.of(HOST, 70000, "agent", "h1", List.of(), Optional.empty()))
                .isInstanceOf(FabricException.class)
                .hasMessage("field 'membership.port': must be between 0 and 65535 (got 70000)");
        assertThatThrownBy(() -> MembershipConfig.of(HOST, 1, "agent", "h1", List.of("nohostport"), Optional.empty()))
                .hasMessage("field 'membership.seeds': must be host:port (got 'nohostport')");
        assertThatThrownBy(() -> MembershipConfig.of("0.0.0.0", 1, "agent", "h1", List.of(), Optional.empty()))
                .hasMessageStartingWith("field 'membership.bindHost': must be an address other members can reach");
        assertThatThrownBy(() -> MembershipConfig.of(HOST, 1, "agent", "h 1", List.of(), Optional.empty()))
                .hasMessageStartingWith("field 'membership.id': must match");
    }

    private ClusterMembership join(int port, String kind, String id, String seed) {
        ClusterMembership m = ClusterMembership.start(MembershipConfig.of(HOST, port, kind, id, List.of(seed),
                Optional.empty()));
        members.add(m);
        return m;
    }

    private Process startMemberProcess(int port, String kind, String id, String seed) throws IOException {
        crashableLog = Files.createTempFile("hvf-member-", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                MemberProcessMain.class.getName(), HOST, String.valueOf(port), kind, id, seed)
                .redirectErrorStream(true)
                .redirectOutput(crashableLog.toFile())
                .start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
