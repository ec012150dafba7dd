package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.hvfabric.cli.ca.PemFiles;
import io.hvfabric.cli.ca.Role;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.it.support.Hvctl;
import io.hvfabric.it.support.LabKeys;
import io.hvfabric.it.support.LabEtcd;
import io.hvfabric.it.support.Shell;
import io.hvfabric.it.support.TestLab;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.CommandsRequest;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.GetHostInfoRequest;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiActionRequest;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each lab certificate may do only what its role is for, on both replicas (one is a follower, so the refusal must
 * come before forwarding to the leader), and a refused call changes nothing; the operator's own writes still pass
 * through the follower. etcd itself is out of an agent's reach and lets in only the schedulers' certificates. A 1-host
 * lab; host-2's certificate is issued by the lab's CA for a host that does not run, to try speaking for host-1.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SecurityIT {
    private static final Metadata.Key<String> PRINCIPAL =
            Metadata.Key.of("hvf-principal", Metadata.ASCII_STRING_MARSHALLER);
    private static TestLab lab;
    private static Hvctl hvctl;
    private static Client etcd;
    private static KeyValue host1Before;

    @BeforeAll
    static void up() throws Exception {
        lab = TestLab.up(1, List.of());
        hvctl = lab.hvctl();
        lab.lab().issueClient("host-2", Role.AGENT);
        // Through the follower: an operator's write forwarded to the leader is still the operator's.
        String leader = hvctl.json("cluster", "status").path("leader").asText();
        String follower = leader.equals("sched-1") ? "sched-2" : "sched-1";
        hvctl.ok("--scheduler", lab.lab().schedulerEndpoint(follower), "vsi", "create", "keep", "--vcpus", "1",
                "--memory", "128");
        etcd = LabEtcd.asScheduler(lab.lab());
        host1Before = host1();
        assertThat(lab.lab().schedulerEndpoints()).hasSize(2);
    }

    @AfterAll
    static void down() {
        if (etcd != null) {
            etcd.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /** Nothing any refused call asked for happened: the one VSI, the one host, host-1's record as registered. */
    @AfterEach
    void nothingChanged() throws Exception {
        assertThat(names(hvctl.json("vsi", "list"))).containsExactly("keep");
        JsonNode hosts = hvctl.json("host", "list");
        assertThat(names(hosts)).containsExactly("host-1");
        assertThat(hosts.get(0).path("state").asText()).isEqualTo("READY");
        KeyValue host1 = host1();
        assertThat(host1.getModRevision()).as("host-1's record untouched").isEqualTo(host1Before.getModRevision());
        assertThat(host1.getValue()).isEqualTo(host1Before.getValue());
    }

    @Test
    void anAgentCertificateCannotCreateDeleteOrListVsis() {
        refusedOnEveryReplica("host-1", c -> operator(c).createVsi(CreateVsiRequest.newBuilder()
                        .setSpec(VsiSpec.newBuilder().setName("intruder").setVcpus(1).setMemoryMib(128)).build()),
                "peer 'host-1' (role agent) may not call OperatorService/CreateVsi");
        refusedOnEveryReplica("host-1", c -> operator(c).deleteVsi(VsiActionRequest.newBuilder().setName("keep")
                        .build()),
                "peer 'host-1' (role agent) may not call OperatorService/DeleteVsi");
        refusedOnEveryReplica("host-1", c -> operator(c).listVsis(ListVsisRequest.getDefaultInstance()),
                "peer 'host-1' (role agent) may not call OperatorService/ListVsis");
    }

    @Test
    void aPrincipalHeaderFromAnAgentIsIgnored() {
        refusedOnEveryReplica("host-1", c -> operator(withHeader(c, "operator/operator")).createVsi(
                        CreateVsiRequest.newBuilder().setSpec(VsiSpec.newBuilder().setName("intruder").setVcpus(1)
                                .setMemoryMib(128)).build()),
                "peer 'host-1' (role agent) may not call OperatorService/CreateVsi");
    }

    @Test
    void theOperatorCertificateCannotRegisterHosts() {
        String refusal = "peer 'operator' (role operator) may not call AgentService/Register";
        refusedOnEveryReplica("operator", c -> agent(c).register(registration("host-9")), refusal);
        refusedOnEveryReplica("operator", c -> agent(c).register(registration("host-1")), refusal);
    }

    @Test
    void aHostCertificateSpeaksOnlyForItsOwnHost() {
        String refusal = "peer 'host-2' (role agent) may not act for host 'host-1'";
        RegisterRequest asHost1 = registration("host-1");
        long host1Lease = RecordCodec.decode(host1Before.getValue(), HostRecord.getDefaultInstance()).getLeaseId();
        refusedOnEveryReplica("host-2", c -> agent(c).register(asHost1), refusal);
        refusedOnEveryReplica("host-2", c -> agent(c).heartbeat(HeartbeatRequest.newBuilder().setHostId("host-1")
                .setLeaseId(host1Lease).build()), refusal);
        refusedOnEveryReplica("host-2", c -> agent(c).commands(CommandsRequest.newBuilder().setHostId("host-1")
                .build()).hasNext(), refusal);
        refusedOnEveryReplica("host-1", c -> agent(c).register(registration("host-9")),
                "peer 'host-1' (role agent) may not act for host 'host-9'");
    }

    /**
     * etcd listens on the root namespace's loopback only: from host-1's namespace neither its recorded address (there
     * the namespace's own loopback) nor the bridge address the host reaches the schedulers by takes a connection,
     * while a scheduler's port on that bridge address does.
     */
    @Test
    void etcdIsUnreachableFromAnAgentsNamespace() {
        String ns = lab.lab().hostNamespace("host-1").orElseThrow();
        String scheduler = lab.lab().schedulerEndpoints().get(0);
        String bridge = scheduler.substring(0, scheduler.lastIndexOf(':'));
        String recorded = lab.lab().etcdEndpoint();
        String port = recorded.substring(recorded.lastIndexOf(':') + 1);
        assertThat(tcpConnect(ns, scheduler).exitCode()).as("host-1 reaches the scheduler at " + scheduler).isZero();
        for (String endpoint : List.of(recorded, "https://" + bridge + ":" + port)) {
            String hostPort = endpoint.substring("https://".length());
            Shell.Outcome tcp = tcpConnect(ns, hostPort);
            assertThat(tcp.exitCode()).as("TCP to " + hostPort + " from " + ns + ": " + tcp.output()).isNotZero();
            assertThat(tcp.output()).as(hostPort).contains("Connection refused");

            long start = System.nanoTime();
            Shell.Outcome get = Shell.attempt(inNamespace(ns, LabEtcd.etcdctl(lab.lab(), endpoint, "host-1", "get",
                    "/hvf/v1/", "--prefix")));
            assertThat(get.exitCode()).as("etcdctl get via " + endpoint + ": " + get.output()).isNotZero();
            assertThat(get.output()).as(endpoint).doesNotContain("/hvf/v1/hosts/");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(endpoint).isLessThan(Duration.ofSeconds(15));
        }
    }

    /** From where the schedulers run, etcd knows an agent's or the operator's certificate as no user of its own. */
    @Test
    void etcdRefusesEveryCertificateButTheSchedulers() throws Exception {
        String endpoint = lab.lab().etcdEndpoint();
        String intruder = "/hvf/v1/hosts/intruder";
        for (String certificate : List.of("host-1", "operator")) {
            Shell.Outcome get = Shell.attempt(etcdctl(endpoint, certificate, "get", "/hvf/v1/", "--prefix"));
            assertThat(get.exitCode()).as(certificate + ": " + get.output()).isNotZero();
            assertThat(get.output()).as(certificate).contains("permission denied").doesNotContain("/hvf/v1/hosts/");
            Shell.Outcome put = Shell.attempt(etcdctl(endpoint, certificate, "put", intruder, "{}"));
            assertThat(put.exitCode()).as(certificate + ": " + put.output()).isNotZero();
            assertThat(put.output()).as(certificate).contains("permission denied");
        }
        assertThat(etcd.getKVClient().get(Keys.bytes(intruder)).get(10, TimeUnit.SECONDS).getKvs()).isEmpty();

        // The same command with a scheduler's certificate passes: the refusals above are etcd's authorization.
        Shell.Outcome asScheduler = Shell.attempt(etcdctl(endpoint, LabEtcd.SCHEDULER, "get", "/hvf/v1/hosts/",
                "--prefix", "--keys-only"));
        assertThat(asScheduler.exitCode()).as(asScheduler.output()).isZero();
        assertThat(asScheduler.output()).contains("/hvf/v1/hosts/host-1");
    }

    /**
     * The audit log names who asked what and how it ended: the operator's create of "keep" (made through the follower
     * and forwarded, so recorded once, by the follower) and an agent certificate's refused CreateVsi. Each record is
     * bound to a lease that outlives the default retention of 7 days.
     */
    @Test
    void theAuditLogShowsTheOperatorsCreateAndTheAgentsRefusal() throws Exception {
        Instant start = Instant.now();
        refusedOnEveryReplica("host-1", c -> operator(c).createVsi(CreateVsiRequest.newBuilder()
                        .setSpec(VsiSpec.newBuilder().setName("intruder").setVcpus(1).setMemoryMib(128)).build()),
                "peer 'host-1' (role agent) may not call OperatorService/CreateVsi");

        // Written off the calls' path: give the writers a moment.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode all = hvctl.json("audit", "--limit", "1000");
            List<JsonNode> keep = StreamSupport.stream(all.spliterator(), false)
                    .filter(r -> r.path("method").asText().equals("CreateVsi")
                            && r.path("object").asText().equals("keep"))
                    .toList();
            assertThat(keep).as("the forwarded create, once: " + all).singleElement().satisfies(r -> {
                assertThat(r.path("principal").path("role").asText()).isEqualTo("operator");
                assertThat(r.path("principal").path("name").asText()).isEqualTo("operator");
                assertThat(r.path("code").asText()).isEqualTo("OK");
                assertThat(r.path("replica").asText()).isIn("sched-1", "sched-2");
            });

            JsonNode since = hvctl.json("audit", "--since", start.toString());
            List<String> refusals = StreamSupport.stream(since.spliterator(), false)
                    .filter(r -> r.path("method").asText().equals("CreateVsi")
                            && r.path("principal").path("role").asText().equals("agent")
                            && r.path("principal").path("name").asText().equals("host-1"))
                    .map(r -> r.path("code").asText() + " " + r.path("message").asText() + " @"
                            + r.path("replica").asText())
                    .toList();
            String refusal = "PERMISSION_DENIED peer 'host-1' (role agent) may not call OperatorService/CreateVsi";
            assertThat(refusals).as(since.toString()).containsExactlyInAnyOrder(refusal + " @sched-1",
                    refusal + " @sched-2");
        });

        List<KeyValue> stored = etcd.getKVClient().get(Keys.bytes("/hvf/v1/audit/"),
                GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS).getKvs();
        assertThat(stored).isNotEmpty().allSatisfy(kv -> assertThat(kv.getLease()).isNotZero());
        long ttl = etcd.getLeaseClient().timeToLive(stored.get(0).getLease(), LeaseOption.DEFAULT)
                .get(10, TimeUnit.SECONDS).getGrantedTTL();
        assertThat(Duration.ofSeconds(ttl)).isGreaterThanOrEqualTo(Duration.ofDays(7));
    }

    /**
     * A revoked certificate is refused within the stated bound: by every replica within 1 s of `hvctl ca revoke`
     * returning, on a connection opened before and on a new one; by the agent within one heartbeat interval more (2 s
     * at the default --host-lease-ttl). The revocation and the refusal are in the audit log; every other certificate
     * (the lab's operator, the schedulers at the agent) goes on working.
     */
    @Test
    void aRevokedCertificateIsRefusedWithinTheStatedBound() throws Exception {
        lab.lab().issueClient("ops-2", Role.OPERATOR);
        lab.lab().issueClient("sched-9", Role.SCHEDULER);
        String operatorSerial = serialOf("ops-2");
        String schedulerSerial = serialOf("sched-9");
        String agentAddress = RecordCodec.decode(host1Before.getValue(), HostRecord.getDefaultInstance()).getAddress();
        List<ManagedChannel> opened = new java.util.ArrayList<>();
        try {
            List<ManagedChannel> replicas = new java.util.ArrayList<>();
            for (String endpoint : lab.lab().schedulerEndpoints()) {
                replicas.add(GrpcTls.channel(endpoint, Optional.of(LabKeys.of(lab.lab(), "ops-2"))));
            }
            opened.addAll(replicas);
            ManagedChannel atAgent = GrpcTls.channel(agentAddress, Optional.of(LabKeys.of(lab.lab(), "sched-9")));
            opened.add(atAgent);
            for (ManagedChannel replica : replicas) {
                assertThat(operator(replica).listVsis(ListVsisRequest.getDefaultInstance()).getVsisList())
                        .extracting(Vsi::getName).containsExactly("keep");
            }
            assertThat(node(atAgent).getHostInfo(GetHostInfoRequest.getDefaultInstance()).getHostId())
                    .isEqualTo("host-1");

            hvctl.ok("ca", "revoke", LabKeys.of(lab.lab(), "ops-2").cert().toString(), "--reason", "SecurityIT");
            long revoked = System.nanoTime();
            for (ManagedChannel replica : replicas) {
                awaitRevoked(() -> operator(replica).listVsis(ListVsisRequest.getDefaultInstance()), operatorSerial,
                        revoked, Duration.ofSeconds(1));
            }
            for (String endpoint : lab.lab().schedulerEndpoints()) {
                ManagedChannel fresh = GrpcTls.channel(endpoint, Optional.of(LabKeys.of(lab.lab(), "ops-2")));
                opened.add(fresh);
                assertRevoked(() -> operator(fresh).listVsis(ListVsisRequest.getDefaultInstance()), operatorSerial);
            }
            assertRevoked(() -> operator(replicas.get(0)).createVsi(CreateVsiRequest.newBuilder()
                    .setSpec(VsiSpec.newBuilder().setName("intruder").setVcpus(1).setMemoryMib(128)).build()),
                    operatorSerial);

            hvctl.ok("ca", "revoke", "--serial", schedulerSerial);
            awaitRevoked(() -> node(atAgent).getHostInfo(GetHostInfoRequest.getDefaultInstance()), schedulerSerial,
                    System.nanoTime(), Duration.ofSeconds(3));
            ManagedChannel asSched1 = GrpcTls.channel(agentAddress, Optional.of(LabKeys.of(lab.lab(), "sched-1")));
            opened.add(asSched1);
            assertThat(node(asSched1).getHostInfo(GetHostInfoRequest.getDefaultInstance()).getHostId())
                    .as("the lab's own scheduler certificate at the agent").isEqualTo("host-1");
        } finally {
            opened.forEach(ManagedChannel::shutdownNow);
        }

        JsonNode list = hvctl.json("ca", "revoked");
        assertThat(StreamSupport.stream(list.spliterator(), false).map(r -> r.path("serial").asText()).toList())
                .contains(operatorSerial, schedulerSerial);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<String> audited = StreamSupport.stream(hvctl.json("audit", "--limit", "1000").spliterator(), false)
                    .filter(r -> r.path("object").asText().equals(operatorSerial)
                            || r.path("principal").path("name").asText().equals("ops-2"))
                    .map(r -> r.path("principal").path("role").asText() + "/" + r.path("principal").path("name")
                            .asText() + " " + r.path("method").asText() + " " + r.path("object").asText() + " "
                            + r.path("code").asText() + " " + r.path("message").asText())
                    .toList();
            assertThat(audited).containsExactly(
                    "operator/operator RevokeCertificate " + operatorSerial + " OK ",
                    "operator/ops-2 CreateVsi  UNAUTHENTICATED certificate serial " + operatorSerial
                            + " is revoked"); // refused before its request was read: no object
        });
    }

    private static String serialOf(String name) throws Exception {
        return PemFiles.readCertificate(LabKeys.of(lab.lab(), name).cert()).getSerialNumber().toString(16);
    }

    /** Polls {@code call} until it is refused as revoked; fails if that takes longer than {@code bound}. */
    private static void awaitRevoked(Runnable call, String serial, long since, Duration bound)
            throws InterruptedException {
        while (true) {
            try {
                call.run();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAUTHENTICATED) {
                    throw e;
                }
                assertThat(e.getStatus().getDescription()).isEqualTo("certificate serial " + serial + " is revoked");
                return;
            }
            assertThat(Duration.ofNanos(System.nanoTime() - since)).as("refused within " + bound).isLessThan(bound);
            Thread.sleep(20);
        }
    }

    private static void assertRevoked(Runnable call, String serial) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).isEqualTo("certificate serial " + serial + " is revoked");
        });
    }

    private static NodeServiceGrpc.NodeServiceBlockingStub node(Channel channel) {
        return NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static String[] etcdctl(String endpoint, String certificate, String... args) {
        return LabEtcd.etcdctl(lab.lab(), endpoint, certificate, args).toArray(String[]::new);
    }

    private static String[] inNamespace(String ns, List<String> cmd) {
        List<String> full = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(cmd);
        return full.toArray(String[]::new);
    }

    /** bash's /dev/tcp: exit 0 once connected, "Connection refused" when nothing listens there. */
    private static Shell.Outcome tcpConnect(String ns, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return Shell.attempt(inNamespace(ns, List.of("timeout", "5", "bash", "-c",
                "exec 3<>/dev/tcp/" + hostPort.substring(0, colon) + "/" + hostPort.substring(colon + 1))));
    }

    /** Host-1's own registration under {@code hostId}: valid, so only authorization can refuse it. */
    private static RegisterRequest registration(String hostId) {
        HostRecord host1 = RecordCodec.decode(host1Before.getValue(), HostRecord.getDefaultInstance());
        return RegisterRequest.newBuilder().setHostId(hostId).setAddress(host1.getAddress())
                .setCapacity(host1.getCapacity()).setCapabilities(host1.getCapabilities()).build();
    }

    private static void refusedOnEveryReplica(String certificate, Consumer<Channel> call, String refusal) {
        for (String endpoint : lab.lab().schedulerEndpoints()) {
            ManagedChannel channel = GrpcTls.channel(endpoint,
                    Optional.of(LabKeys.of(lab.lab(), certificate)));
            try {
                assertThatThrownBy(() -> call.accept(channel)).as(endpoint)
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).as(endpoint).isEqualTo(Status.Code.PERMISSION_DENIED);
                            assertThat(e.getStatus().getDescription()).as(endpoint).isEqualTo(refusal);
                        });
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static OperatorServiceGrpc.OperatorServiceBlockingStub operator(Channel channel) {
        return OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static AgentServiceGrpc.AgentServiceBlockingStub agent(Channel channel) {
        return AgentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static Channel withHeader(Channel channel, String principal) {
        Metadata headers = new Metadata();
        headers.put(PRINCIPAL, principal);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static KeyValue host1() throws Exception {
        List<KeyValue> kvs = etcd.getKVClient().get(new Keys(Keys.DEFAULT_PREFIX).of(Keys.Kind.HOST, "host-1"))
                .get(10, TimeUnit.SECONDS).getKvs();
        assertThat(kvs).as("host-1 registered").hasSize(1);
        return kvs.get(0);
    }

    private static List<String> names(JsonNode list) {
        return StreamSupport.stream(list.spliterator(), false)
                .map(n -> n.has("name") ? n.path("name").asText() : n.path("id").asText()).toList();
    }
}
