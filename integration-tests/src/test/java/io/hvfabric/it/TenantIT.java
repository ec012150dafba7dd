package io.hvfabric.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.it.support.Hvctl;
import io.hvfabric.it.support.LabKeys;
import io.hvfabric.it.support.TestLab;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.VsiSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Tenants on a real 3-host lab: certificates from the lab's CA naming tenant and user, a quota that holds under a
 * storm of concurrent creates through both replicas (the follower forwards its share to the leader), VSIs of one
 * tenant invisible to another, and operator-only calls refused to tenants.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TenantIT {
    private static final int STORM = 20;
    private static final int MAX_VSIS = 3;
    private static TestLab lab;
    private static Hvctl operator;
    private static final List<String> admitted = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        lab = TestLab.up(3, List.of());
        operator = lab.hvctl();
        lab.lab().issueTenant("alice", "acme");
        lab.lab().issueTenant("bob", "beta");
        operator.ok("tenant", "create", "acme", "--max-vsis", Integer.toString(MAX_VSIS));
        operator.ok("tenant", "create", "beta");
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    /** hvctl as {@code user}: the lab's CA and endpoints, the user's certificate instead of the operator's. */
    private static Hvctl.Result as(String user, String... args) {
        Path tls = lab.lab().keyDir(user);
        List<String> all = new ArrayList<>(List.of("--tls-cert", tls.resolve(user + ".crt").toString(),
                "--tls-key", tls.resolve(user + ".key").toString()));
        all.addAll(List.of(args));
        return operator.run(all.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void aQuotaHoldsUnderAStormOfConcurrentCreatesThroughBothReplicas() throws Exception {
        List<String> endpoints = lab.lab().schedulerEndpoints();
        List<ManagedChannel> channels = new ArrayList<>();
        for (String endpoint : endpoints) {
            channels.add(GrpcTls.channel(endpoint, Optional.of(LabKeys.of(lab.lab(), "alice"))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(STORM);
        Map<String, Future<Status>> results = new HashMap<>();
        try {
            for (int i = 0; i < STORM; i++) {
                String name = "storm-" + i;
                ManagedChannel channel = channels.get(i % channels.size());
                results.put(name, pool.submit(() -> {
                    try {
                        OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                                .createVsi(CreateVsiRequest.newBuilder().setSpec(VsiSpec.newBuilder()
                                        .setName(name).setVcpus(1).setMemoryMib(128)).build());
                        return Status.OK;
                    } catch (StatusRuntimeException e) {
                        return e.getStatus();
                    }
                }));
            }
            List<String> refusals = new ArrayList<>();
            for (Map.Entry<String, Future<Status>> result : results.entrySet()) {
                Status status = result.getValue().get(90, TimeUnit.SECONDS);
                if (status.isOk()) {
                    admitted.add(result.getKey());
                } else {
                    assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    refusals.add(status.getDescription());
                }
            }
            assertThat(admitted).hasSize(MAX_VSIS);
            assertThat(refusals).hasSize(STORM - MAX_VSIS)
                    .containsOnly("tenant 'acme' quota max_vsis 3: 3 used, 1 requested");
        } finally {
            pool.shutdownNow();
            channels.forEach(ManagedChannel::shutdownNow);
        }

        JsonNode acme = operator.json("tenant", "show", "acme");
        assertThat(acme.path("usage").path("vsis").asInt()).isEqualTo(MAX_VSIS);
        assertThat(names(acme.path("usage").path("names"))).isEqualTo(new TreeSet<>(admitted));
        Map<String, String> tenantByVsi = new HashMap<>();
        for (JsonNode vsi : operator.json("vsi", "list")) {
            tenantByVsi.put(vsi.path("name").asText(), vsi.path("tenant").asText());
        }
        assertThat(tenantByVsi).as("only the admitted were stored, each in acme")
                .containsOnlyKeys(admitted).allSatisfy((name, tenant) -> assertThat(tenant).isEqualTo("acme"));
    }

    @Test
    @Order(2)
    void aTenantSeesItsOwnVsisOnlyAndAnotherTenantsIsNotFoundLikeAMissingOne() {
        Hvctl.Result aliceList = as("alice", "vsi", "list", "-o", "json");
        assertThat(aliceList.exitCode()).as(aliceList.err()).isZero();
        assertThat(names(aliceList.json())).isEqualTo(new TreeSet<>(admitted));
        Hvctl.Result bobList = as("bob", "vsi", "list", "-o", "json");
        assertThat(bobList.json()).isEmpty();

        String alices = admitted.get(0);
        Hvctl.Result hidden = as("bob", "vsi", "show", alices);
        Hvctl.Result missing = as("bob", "vsi", "show", "no-such-vsi");
        assertThat(hidden.exitCode()).isEqualTo(1);
        assertThat(hidden.errLines()).containsExactly("hvctl: not found: vsi '" + alices + "' not found");
        assertThat(missing.errLines()).containsExactly("hvctl: not found: vsi 'no-such-vsi' not found");
        assertThat(as("bob", "vsi", "delete", alices).errLines()).isEqualTo(hidden.errLines());
        assertThat(as("bob", "vsi", "stop", alices).errLines()).isEqualTo(hidden.errLines());

        // Names are global; taking one another tenant holds says only that it is taken.
        Hvctl.Result taken = as("bob", "vsi", "create", alices, "--vcpus", "1", "--memory", "128");
        assertThat(taken.exitCode()).isEqualTo(1);
        assertThat(taken.errLines()).containsExactly("hvctl: already exists: vsi '" + alices + "' already exists");

        Hvctl.Result bobs = as("bob", "vsi", "create", "bob-1", "--vcpus", "1", "--memory", "128", "-o", "json");
        assertThat(bobs.exitCode()).as(bobs.err()).isZero();
        assertThat(bobs.json().path("tenant").asText()).isEqualTo("beta");
        Hvctl.Result intoAcme = as("bob", "vsi", "create", "bob-2", "--vcpus", "1", "--memory", "128",
                "--tenant", "acme");
        assertThat(intoAcme.exitCode()).isEqualTo(1);
        assertThat(intoAcme.errLines()).containsExactly("hvctl: permission denied: peer 'bob' (role tenant, tenant"
                + " 'beta') may not create VSIs in tenant 'acme'");
    }

    @Test
    @Order(3)
    void operatorOnlyCallsAreRefusedToATenant() {
        for (List<String> call : List.of(List.of("host", "list"), List.of("cluster", "status"),
                List.of("tenant", "list"), List.of("rebalance", "--dry-run"), List.of("vsi", "migrate", "bob-1"))) {
            Hvctl.Result refused = as("bob", call.toArray(String[]::new));
            assertThat(refused.exitCode()).as(String.join(" ", call)).isEqualTo(1);
            assertThat(refused.errLines()).as(String.join(" ", call)).singleElement().asString()
                    .startsWith("hvctl: permission denied: peer 'bob' (role tenant, tenant 'beta') may not call"
                            + " OperatorService/");
        }
    }

    /**
     * Fabric events: the operator sees a migration's phases (and hosts, refusals); alice sees her VSIs' events and
     * their migration's phases, each of tenant acme; bob sees none of them and may not ask for host events.
     */
    @Test
    @Order(4)
    void eventsShowTheMigrationsPhasesAndEachTenantOnlyItsOwn() throws Exception {
        String name = admitted.get(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!"RUNNING".equals(operator.json("vsi", "show", name).path("state").asText())
                && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        JsonNode migration = operator.json("vsi", "migrate", name, "--wait", "--timeout", "120s");
        assertThat(migration.path("status").asText()).as(migration.toString()).isEqualTo("COMPLETED");
        String id = migration.path("id").asText();

        List<String> phases = List.of();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // events are written within a flush (200 ms)
        while (!phases.contains("COMPLETED") && System.nanoTime() < deadline) {
            phases = StreamSupport.stream(operator.json("events", "--kind", "MIGRATION_PHASE", "--object",
                            "migration/" + id).spliterator(), false)
                    .map(e -> e.path("fields").path("phase").asText()).toList();
            Thread.sleep(200);
        }
        assertThat(phases).containsSubsequence("PENDING", "PRECOPY", "SWITCHOVER", "COMPLETED");
        JsonNode all = operator.json("events", "--limit", "1000");
        assertThat(StreamSupport.stream(all.spliterator(), false).map(e -> e.path("kind").asText()))
                .contains("LEADER_ELECTED", "HOST_REGISTERED", "VSI_CREATED", "MIGRATION_PHASE", "CALL_REFUSED");

        JsonNode alices = as("alice", "events", "--limit", "1000", "-o", "json").json();
        assertThat(alices).isNotEmpty().allSatisfy(e -> {
            assertThat(e.path("tenant").asText()).isEqualTo("acme");
            assertThat(e.path("kind").asText()).matches("VSI_.*|MIGRATION_PHASE");
        });
        assertThat(StreamSupport.stream(alices.spliterator(), false)
                .filter(e -> e.path("object").path("name").asText().equals(id))
                .map(e -> e.path("fields").path("phase").asText()).toList())
                .containsSubsequence("PENDING", "PRECOPY", "SWITCHOVER", "COMPLETED");
        Hvctl.Result followed = as("alice", "events", "--follow", "--timeout", "2s", "--kind", "MIGRATION_PHASE",
                "-o", "json");
        assertThat(followed.exitCode()).as(followed.err()).isZero();
        assertThat(followed.out().lines()).as("JSON Lines").isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("\"tenant\":\"acme\""));

        JsonNode bobs = as("bob", "events", "--limit", "1000", "-o", "json").json();
        assertThat(bobs).allSatisfy(e -> assertThat(e.path("tenant").asText()).isEqualTo("beta"));
        assertThat(bobs.toString()).doesNotContain(name).doesNotContain(id);
        Hvctl.Result hosts = as("bob", "events", "--kind", "HOST_DOWN");
        assertThat(hosts.exitCode()).isEqualTo(1);
        assertThat(hosts.errLines()).singleElement().asString()
                .startsWith("hvctl: permission denied: tenant 'beta' may not see HOST_DOWN events");
    }

    @Test
    @Order(5)
    void deletesFreeTheQuotaAndATenantGoesOnlyOnceItsVsisHave() {
        Hvctl.Result refused = operator.run("tenant", "delete", "acme");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("tenant 'acme' owns 3 VSIs");

        Hvctl.Result deleted = as("alice", "vsi", "delete", admitted.get(0));
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();
        assertThat(operator.json("tenant", "show", "acme").path("usage").path("vsis").asInt()).isEqualTo(MAX_VSIS - 1);
        Hvctl.Result again = as("alice", "vsi", "create", "after-delete", "--vcpus", "1", "--memory", "128");
        assertThat(again.exitCode()).as(again.err()).isZero();

        for (String name : List.of(admitted.get(1), admitted.get(2), "after-delete")) {
            Hvctl.Result gone = as("alice", "vsi", "delete", name);
            assertThat(gone.exitCode()).as(gone.err()).isZero();
        }
        operator.ok("tenant", "delete", "acme");
        assertThat(names(operator.json("tenant", "list"), "tenant")).containsExactly("beta");
    }

    private static Set<String> names(JsonNode array) {
        return new TreeSet<>(StreamSupport.stream(array.spliterator(), false)
                .map(n -> n.isTextual() ? n.asText() : n.path("name").asText()).toList());
    }

    /** The names of {@code field} objects in an array, as in tenant list's [{"tenant": {"name": ...}}]. */
    private static Set<String> names(JsonNode array, String field) {
        return new TreeSet<>(StreamSupport.stream(array.spliterator(), false)
                .map(n -> n.path(field).path("name").asText()).toList());
    }
}
