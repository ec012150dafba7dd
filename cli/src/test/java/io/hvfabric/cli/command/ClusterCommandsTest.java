package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.ClusterStatus;
import io.hvfabric.proto.v1.Member;
import io.hvfabric.proto.v1.Replica;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ClusterCommandsTest {
    private InProcessScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        scheduler = new InProcessScheduler();
        scheduler.service.clusterStatus = ClusterStatus.newBuilder()
                .setLeader("s1")
                .setTerm(42)
                .addReplicas(Replica.newBuilder().setId("s1").setAddress("10.0.0.1:7000").setLeader(true))
                .addReplicas(Replica.newBuilder().setId("s2").setAddress("10.0.0.2:7000"))
                .addEtcdEndpoints("http://10.0.0.1:2379")
                .addMembers(Member.newBuilder().setKind("agent").setId("h1").setAddress("pekko://hv@10.0.0.5:2552")
                        .setStatus("Up").setReachable(false))
                .setHostsTotal(2)
                .setHostsReady(1)
                .setAnsweredBy("s2")
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
    }

    @Test
    void statusJsonHasLeaderAndReplicas() {
        CliRun run = scheduler.run("cluster", "status", "-o", "json");

        assertThat(run.exitCode()).isZero();
        JsonObject status = JsonParser.parseString(run.stdout()).getAsJsonObject();
        assertThat(status.get("leader").getAsString()).isEqualTo("s1");
        assertThat(status.getAsJsonArray("replicas")).hasSize(2);
        JsonObject follower = status.getAsJsonArray("replicas").get(1).getAsJsonObject();
        assertThat(follower.get("id").getAsString()).isEqualTo("s2");
        assertThat(follower.get("address").getAsString()).isEqualTo("10.0.0.2:7000");
        assertThat(follower.get("leader").getAsBoolean()).isFalse();
        assertThat(status.get("vsisTotal").getAsInt()).isZero();
    }

    @Test
    void statusTableShowsLeaderTermReplicasAndUnreachableMembers() {
        CliRun run = scheduler.run("cluster", "status");

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).contains("s1 (term 42)", "1 ready of 2", "http://10.0.0.1:2379", "REPLICAS", "MEMBERS");
        assertThat(run.stdout().lines().filter(l -> l.startsWith("s2")).findFirst()).hasValueSatisfying(
                l -> assertThat(l).contains("follower"));
        assertThat(run.stdout().lines().filter(l -> l.startsWith("agent")).findFirst()).hasValueSatisfying(
                l -> assertThat(l).contains("h1", "Up", "NO"));
    }
}
