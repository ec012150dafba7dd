package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.Role;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.it.support.Hvctl;
import io.hvfabric.it.support.LabEtcd;
import io.hvfabric.it.support.Shell;
import io.hvfabric.it.support.TestLab;
import io.hvfabric.lab.ComponentKind;
import io.hvfabric.lab.LabStatus;
import io.hvfabric.proto.v1.ListHostsRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.Keys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation issue's promises, checked from the outside against a 3-host lab: real etcd, two scheduler
 * processes, three agents in their own network namespaces, the real hvctl.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FoundationIT {
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
    void everyHostReportsTheCapacityTheOsGivesItsAgent() {
        JsonNode hosts = hvctl.json("host", "list");
        assertThat(hosts.isArray()).isTrue();
        assertThat(hosts).hasSize(3);
        long memTotalMib = memTotalMib();
        for (JsonNode host : hosts) {
            String id = host.path("id").asText();
            assertThat(host.path("state").asText()).as(id).isEqualTo("READY");
            assertThat(host.path("accelerator").asText()).as(id).isIn("kvm", "tcg");
            // The decision names its evidence; on kvm_pvm (KVM runs the ioctl probe, not Linux) it must be TCG.
            assertThat(host.path("capabilities").path("acceleratorReason").asText()).as(id).isNotBlank();
            if (java.nio.file.Files.exists(java.nio.file.Path.of("/sys/module/kvm_pvm"))) {
                assertThat(host.path("accelerator").asText()).as(id).isEqualTo("tcg");
                assertThat(host.path("capabilities").path("kvmPvm").asBoolean()).as(id).isTrue();
            }
            int osCpus = Integer.parseInt(inHostNamespace(id, "nproc").trim());
            assertThat(host.path("capacity").path("vcpus").asInt()).as(id).isEqualTo(osCpus);
            assertThat(host.path("capacity").path("memoryMib").asLong()).as(id)
                    .isBetween((long) (memTotalMib * 0.9), memTotalMib);
            for (String dim : List.of("vcpus", "memoryMib", "nicMbps", "diskGib")) {
                assertThat(host.path("capacity").has(dim)).as(id + " capacity." + dim).isTrue();
                assertThat(host.path("allocated").has(dim)).as(id + " allocated." + dim).isTrue();
            }
            assertThat(host.has("vsiCount")).isTrue();
        }
        JsonNode one = hvctl.json("host", "show", "host-2");
        assertThat(one.path("id").asText()).isEqualTo("host-2");
    }

    @Test
    @Order(2)
    void clusterStatusNamesTheLeaderAndBothReplicasAsTheLabDoes() {
        JsonNode status = hvctl.json("cluster", "status");
        List<LabStatus.Component> schedulers = lab.lab().status().components().stream()
                .filter(c -> c.kind() == ComponentKind.SCHEDULER)
                .toList();
        assertThat(status.path("leader").asText()).isIn("sched-1", "sched-2");
        assertThat(StreamSupport.stream(status.path("replicas").spliterator(), false)
                .map(r -> r.path("id").asText() + "@" + r.path("address").asText()))
                .containsExactlyInAnyOrderElementsOf(
                        schedulers.stream().map(c -> c.id() + "@" + c.address()).toList());
        assertThat(status.path("members").size()).as("gossip members: 2 schedulers + 3 agents").isEqualTo(5);
    }

    @Test
    @Order(3)
    void anUnknownHostIsNotFoundInOneLine() {
        Hvctl.Result r = hvctl.run("host", "show", "no-such-host");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("not found").contains("no-such-host").doesNotContain("Exception");
    }

    @Test
    @Order(4)
    void malformedFlagsAreUsageErrors() {
        for (String[] args : List.of(
                new String[] {"host", "list", "--no-such-flag"},
                new String[] {"host", "list", "-o", "yaml"},
                new String[] {"vsi", "create", "x", "--vcpus", "abc", "--memory", "128"})) {
            Hvctl.Result r = hvctl.run(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.errLines()).as(String.join(" ", args)).hasSize(1);
            assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    @Order(5)
    void mutualTlsRefusesClientsWithoutACertificateOrFromAnotherCa(@TempDir Path tmp) throws Exception {
        String endpoint = lab.lab().schedulerEndpoints().get(0);
        Path tls = lab.lab().keyDir("operator");
        // The operator's own certificate works.
        assertThat(listHosts(GrpcTls.channel(endpoint, Optional.of(TlsFiles.inDir(tls, "operator"))))).isTrue();
        // Trusting the fabric CA but presenting no certificate: refused.
        ManagedChannel anonymous = NettyChannelBuilder.forTarget(endpoint)
                .sslContext(GrpcSslContexts.forClient().trustManager(tls.resolve("ca.crt").toFile()).build())
                .build();
        assertThat(listHosts(anonymous)).isFalse();
        // A certificate from another CA: refused.
        Path other = Files.createDirectories(tmp.resolve("other-ca"));
        FabricCa.init(other).issue("operator", Role.OPERATOR, List.of(), List.of());
        ManagedChannel foreign = NettyChannelBuilder.forTarget(endpoint)
                .sslContext(GrpcSslContexts.forClient()
                        .trustManager(tls.resolve("ca.crt").toFile())
                        .keyManager(other.resolve("operator.crt").toFile(), other.resolve("operator.key").toFile())
                        .build())
                .build();
        assertThat(listHosts(foreign)).isFalse();
        // And plaintext against the TLS port: refused.
        ManagedChannel plain = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
        assertThat(listHosts(plain)).isFalse();
    }

    @Test
    @Order(6)
    void aKilledAgentTurnsDownWithinTheBoundAndComesBackAsTheSameHost() {
        lab.lab().kill9("host-3");
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> hostState("host-3").equals("DOWN"));
        System.out.printf("host-3 DOWN %.1f s after kill -9%n", (System.nanoTime() - start) / 1e9);

        lab.lab().restart("host-3");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> hostState("host-3").equals("READY"));
        assertThat(hvctl.json("host", "list")).hasSize(3);
    }

    @Test
    @Order(7)
    void aKilledLeaderIsReplacedWithinTheBoundAndItsTermCanNoLongerWrite() throws Exception {
        String leader = hvctl.json("cluster", "status").path("leader").asText();
        String survivor = leader.equals("sched-1") ? "sched-2" : "sched-1";
        try (Client etcd = LabEtcd.asScheduler(lab.lab())) {
            Keys keys = new Keys(Keys.DEFAULT_PREFIX);
            KeyValue leaderKey = leaderKey(etcd, keys);
            Term oldTerm = new Term(leader, "", leaderKey.getKey(), leaderKey.getCreateRevision());

            lab.lab().kill9(leader);
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                    .until(() -> survivor.equals(statusVia(survivor).path("leader").asText()));
            System.out.printf("%s leads %.1f s after kill -9 of %s%n", survivor, (System.nanoTime() - start) / 1e9,
                    leader);

            // A write under the deposed leader's term is refused by etcd itself.
            ByteSequence probe = Keys.bytes("/hvf/v1/fencing-probe");
            FencedWriter stale = new FencedWriter(etcd.getKVClient(), null);
            assertThatThrownBy(() -> stale.commit(oldTerm, List.of(),
                    List.of(Op.put(probe, Keys.bytes("written by a deposed leader"), PutOption.DEFAULT))))
                    .isInstanceOfSatisfying(FabricException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_LEADER));
            assertThat(etcd.getKVClient().get(probe).get(10, TimeUnit.SECONDS).getKvs()).isEmpty();
        }
        lab.lab().restart(leader);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> hvctl.json("cluster", "status").path("replicas").size() == 2);
        assertThat(hvctl.json("cluster", "status").path("leader").asText()).isEqualTo(survivor);
    }

    private static KeyValue leaderKey(Client etcd, Keys keys) throws Exception {
        List<KeyValue> candidates = etcd.getKVClient()
                .get(keys.electionName(), GetOption.builder().isPrefix(true).build())
                .get(10, TimeUnit.SECONDS).getKvs();
        return candidates.stream().min(java.util.Comparator.comparingLong(KeyValue::getCreateRevision)).orElseThrow();
    }

    private static JsonNode statusVia(String schedulerId) {
        return hvctl.json("--scheduler", lab.lab().schedulerEndpoint(schedulerId), "cluster", "status");
    }

    private static String hostState(String id) {
        Hvctl.Result r = hvctl.run("host", "show", id, "-o", "json");
        return r.exitCode() == 0 ? r.json().path("state").asText() : "ERROR";
    }

    private static boolean listHosts(ManagedChannel channel) {
        try {
            OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listHosts(ListHostsRequest.getDefaultInstance());
            return true;
        } catch (StatusRuntimeException e) {
            return false;
        } finally {
            channel.shutdownNow();
        }
    }

    private static String inHostNamespace(String hostId, String... cmd) {
        Optional<String> ns = lab.lab().hostNamespace(hostId);
        if (ns.isEmpty()) {
            return Shell.run(cmd);
        }
        String[] full = new String[cmd.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns.get();
        System.arraycopy(cmd, 0, full, 4, cmd.length);
        return Shell.run(full);
    }

    private static long memTotalMib() {
        try {
            String line = Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII).stream()
                    .filter(l -> l.startsWith("MemTotal:"))
                    .findFirst()
                    .orElseThrow();
            return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
