package io.hvfabric.common.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hvfabric.common.tls.TestPki;
import io.hvfabric.common.tls.TlsFiles;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gossip over TLS with the fabric's certificates: members with a scheduler's or an agent's certificate of the fabric
 * CA form the cluster; a member with another CA's certificate, one without TLS, and one presenting a fabric
 * certificate of another role (an operator's) never join it.
 */
class MembershipTlsTest {
    private static final String HOST = "127.0.0.1";

    @TempDir
    Path dir;

    private final List<ClusterMembership> members = new ArrayList<>();

    @AfterEach
    void leave() {
        members.forEach(ClusterMembership::close);
    }

    // Bounds are generous for a loaded 2-core machine.
    @Test
    @Timeout(120)
    void onlyMembersWithFabricMemberCertificatesJoin() throws Exception {
        TestPki fabric = TestPki.create("fabric-ca");
        TestPki other = TestPki.create("other-ca");
        int seedPort = freePort();
        String seed = HOST + ":" + seedPort;
        ClusterMembership scheduler = join(seedPort, "scheduler", "s1", seed,
                Optional.of(fabric.issue(dir.resolve("s1"), "s1", "s1", "scheduler")));
        ClusterMembership agent = join(freePort(), "agent", "h1", seed,
                Optional.of(fabric.issue(dir.resolve("h1"), "h1", "h1", "agent")));
        for (ClusterMembership view : List.of(scheduler, agent)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(upMembers(view))
                    .containsExactlyInAnyOrder("scheduler/s1", "agent/h1"));
        }

        List<ClusterMembership> outsiders = List.of(
                join(freePort(), "agent", "foreign", seed,
                        Optional.of(other.issue(dir.resolve("foreign"), "foreign", "foreign", "agent"))),
                join(freePort(), "agent", "plaintext", seed, Optional.empty()),
                join(freePort(), "agent", "operator", seed,
                        Optional.of(fabric.issue(dir.resolve("operator"), "operator", "operator", "operator"))));

        // Long enough for each to have tried its join several times (seed-node retries are 5 s apart).
        await().during(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (ClusterMembership view : List.of(scheduler, agent)) {
                assertThat(view.members()).extracting(m -> m.kind() + "/" + m.id())
                        .containsExactlyInAnyOrder("scheduler/s1", "agent/h1");
            }
            for (ClusterMembership outsider : outsiders) {
                assertThat(outsider.self().isUp()).as(outsider.config().id()).isFalse();
            }
        });

        // The cluster still admits a member with a fabric certificate.
        ClusterMembership late = join(freePort(), "agent", "h2", seed,
                Optional.of(fabric.issue(dir.resolve("h2"), "h2", "h2", "agent")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(upMembers(scheduler)).containsExactlyInAnyOrder("scheduler/s1", "agent/h1", "agent/h2");
            assertThat(late.self().isUp()).isTrue();
        });
    }

    private static List<String> upMembers(ClusterMembership view) {
        return view.members().stream().filter(m -> m.isUp() && m.reachable()).map(m -> m.kind() + "/" + m.id())
                .toList();
    }

    private ClusterMembership join(int port, String kind, String id, String seed, Optional<TlsFiles> tls) {
        ClusterMembership m = ClusterMembership.start(MembershipConfig.of(HOST, port, kind, id, List.of(seed), tls));
        members.add(m);
        return m;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
