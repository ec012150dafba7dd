package io.hvfabric.scheduler.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.Message;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.HostNetwork;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Migration.Phase;
import io.hvfabric.proto.v1.MigrationProgress;
import io.hvfabric.proto.v1.Network;
import io.hvfabric.proto.v1.NetworkPeer;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiAssignment;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.audit.LocalEtcd;
import io.hvfabric.scheduler.hosts.DesiredStates;
import io.hvfabric.scheduler.leader.FencedWriter;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.view.ClusterView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The switchover of one migration, driven by the real runner and its fenced writes on a real etcd, against two
 * scripted agents (host-1 the source, host-2 the target). Ownership may move, and the source's paused copy go, only
 * on the target's word that the guest runs there; whenever the target fails at the switchover, the source's copy
 * runs again and keeps the VSI.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MigrationSwitchoverTest {
    private static final String VSI = "web-1";
    private static final String ID = "m-1";
    private static final SwitchoverLimits LIMITS = new SwitchoverLimits(Duration.ofSeconds(2), Duration.ofSeconds(2));
    private static LocalEtcd etcd;
    private static Client client;

    private final String tag = UUID.randomUUID().toString().substring(0, 8);
    private final Keys keys = new Keys("/switchover-" + tag + Keys.DEFAULT_PREFIX);
    private final CountDownLatch sent = new CountDownLatch(1);
    private final ExecutorService background = Executors.newCachedThreadPool();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private ScriptedNode source;
    private ScriptedNode target;
    private ClusterView view;
    private AgentChannels agents;
    private MigrationOperations ops;
    private Term term;

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = LocalEtcd.start();
        client = etcd.client();
    }

    @AfterAll
    static void stopEtcd() throws Exception {
        client.close();
        etcd.close();
    }

    @BeforeEach
    void twoHostsAndALeader() throws Exception {
        source = new ScriptedNode(address("host-1"), sent).runningTheGuest();
        target = new ScriptedNode(address("host-2"), sent);
        ByteSequence leaderKey = keys.of(Keys.Kind.LEADER, "test");
        put(leaderKey, LeaderRecord.newBuilder().setId("sched-1").setAddress("127.0.0.1:7001").build());
        long created = client.getKVClient().get(leaderKey).get(10, TimeUnit.SECONDS).getKvs().get(0)
                .getCreateRevision();
        term = new Term("sched-1", "127.0.0.1:7001", leaderKey, created);
        view = new ClusterView(client, keys);
        agents = new AgentChannels(view, a -> InProcessChannelBuilder.forName(a).directExecutor().build());
        ops = new MigrationOperations(view, keys, new FencedWriter(client.getKVClient(), null), null, null, null,
                new Object());
    }

    @AfterEach
    void close() {
        agents.close();
        view.close();
        source.close();
        target.close();
        background.shutdownNow();
    }

    @Test
    void ownershipMovesOnlyOnceTheTargetConfirmsTheGuestRunsThere() throws Exception {
        accepted();
        AtomicReference<String> ownerDuringResume = new AtomicReference<>();
        AtomicReference<Phase> phaseDuringResume = new AtomicReference<>();
        AtomicReference<List<String>> sourceRolesDuringResume = new AtomicReference<>();
        target.onResume(() -> {
            caughtUp(); // the runner resumes without waiting for its own view
            ownerDuringResume.set(vsi().getHost());
            phaseDuringResume.set(migration().getPhase());
            sourceRolesDuringResume.set(roles("host-1"));
        });

        run();

        assertThat(ownerDuringResume).as("etcd's owner while the target is resumed").hasValue("host-1");
        assertThat(phaseDuringResume).hasValue(Phase.SWITCHOVER);
        assertThat(sourceRolesDuringResume.get()).as("the source keeps its paused copy").containsExactly(
                "MIGRATING_OUT");
        Migration done = migration();
        assertThat(done.getPhase()).as(done.getMessage()).isEqualTo(Phase.COMPLETED);
        assertThat(done.getMessage()).contains("target running", "switchover txn");
        assertThat(vsi().getHost()).isEqualTo("host-2");
        assertThat(vsi().getState()).isEqualTo(Vsi.State.RUNNING);
        assertThat(vsi().getMigrationId()).isEmpty();
        assertThat(allocated("host-1")).doesNotContain(VSI);
        assertThat(allocated("host-2")).contains(VSI);
        assertThat(roles("host-1")).as("only now may the source's copy go").isEmpty();
        assertThat(roles("host-2")).containsExactly("RUNNING");
        assertThat(target.copy()).isEqualTo("running");
    }

    @Test
    void theTargetJoinsTheVsisNetworksBeforeItsGuestStartsAndTheCutoverIsRecorded() throws Exception {
        put(keys.of(Keys.Kind.NETWORK, "acme/blue"), Network.newBuilder().setName("blue").setTenant("acme")
                .setCidr("10.0.0.0/24").setMtu(1450).setVni(100).setGatewayIp("10.0.0.1").build());
        put(keys.of(Keys.Kind.HOST, "host-3"), HostRecord.newBuilder().setId("host-3").setAddress("10.9.0.3:7000")
                .setCapabilities(HostCapabilities.newBuilder().setUnderlayAddress("192.168.0.3")).build());
        put(keys.of(Keys.Kind.VSI, "db-1"), VsiRecord.newBuilder().setHost("host-3").setDesired("RUNNING")
                .setSpec(VsiSpec.newBuilder().setName("db-1").setTenant("acme").addNics(NicSpec.newBuilder()
                        .setNetwork("blue").setIp("10.0.0.3").setMac("0a:00:00:64:00:03").setVni(100))).build());
        seed(Migration.newBuilder().setPhase(Phase.PENDING).build(), VsiSpec.newBuilder().setTenant("acme")
                .addNics(NicSpec.newBuilder().setNetwork("blue").setIp("10.0.0.2").setMac("0a:00:00:64:00:02")
                        .setVni(100)));

        run();

        List<HostNetwork> joined = target.received.getNetworksList();
        assertThat(joined).extracting(HostNetwork::getId).containsExactly("acme/blue");
        assertThat(joined.get(0).getPeersList()).extracting(NetworkPeer::getHost, NetworkPeer::getUnderlayAddress,
                        NetworkPeer::getMacsList)
                .containsExactly(tuple("host-1", "host-1-" + tag, List.of("0a:00:00:64:00:02")),
                        tuple("host-3", "192.168.0.3", List.of("0a:00:00:64:00:03")));
        Migration done = migration();
        assertThat(done.getPhase()).as(done.getMessage()).isEqualTo(Phase.COMPLETED);
        assertThat(done.getNetworkCutover()).isEqualTo("joined vni 100 (acme/blue) on host-2 before switchover; "
                + "1 MAC repointed on 2 peers at the ownership commit");
    }

    @Test
    void aTargetThatFailsToLoadTheGuestIsRolledBackToTheSourcesCopy() throws Exception {
        accepted();
        target.loads(ScriptedNode.Load.FAILED);

        run();

        assertRolledBack("failed to load the guest: load of migration failed");
        assertThat(target.resumeCalls()).as("a target that failed is never resumed").isZero();
    }

    @Test
    void aTargetThatNeverSaysItLoadedIsRolledBackAfterTheBound() throws Exception {
        accepted();
        target.loads(ScriptedNode.Load.SILENT);

        run();

        assertRolledBack("did not confirm loading the guest within 2000 ms");
        assertThat(target.resumeCalls()).isZero();
        assertThat(target.copy()).isEqualTo("none");
    }

    @Test
    void aResumeThatKeepsFailingIsRolledBackWithinTheBound() throws Exception {
        accepted();
        target.resumes(attempt -> {
            throw Status.INTERNAL.withDescription("cont failed: guest memory is corrupt").asRuntimeException();
        });

        long started = System.nanoTime();
        run();

        assertRolledBack("cont failed: guest memory is corrupt");
        assertThat(target.resumeCalls()).as("asked again until the bound").isGreaterThan(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(LIMITS.resumeConfirm().plusSeconds(5));
        assertThat(target.copy()).as("the target's copy is removed").isEqualTo("none");
    }

    @Test
    void aTargetWhoseCopyIsGoneIsRolledBackWithoutWaitingOutTheBound() throws Exception {
        accepted();
        target.resumes(attempt -> {
            throw Status.NOT_FOUND.withDescription("VSI web-1 does not run on this host").asRuntimeException();
        });

        run();

        assertRolledBack("its copy is gone: VSI web-1 does not run on this host");
        assertThat(target.resumeCalls()).isEqualTo(1);
    }

    @Test
    void aResumeWhoseAnswerWasLostIsAskedAgain() throws Exception {
        accepted();
        target.resumes(attempt -> {
            if (attempt < 3) {
                throw Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException();
            }
            return "running";
        });

        run();

        assertThat(migration().getPhase()).as(migration().getMessage()).isEqualTo(Phase.COMPLETED);
        assertThat(target.resumeCalls()).isEqualTo(3);
        assertThat(vsi().getHost()).isEqualTo("host-2");
    }

    @Test
    void aNewLeaderCompletesASwitchoverOnTheTargetsConfirmation() throws Exception {
        inSwitchover();
        target.holdingLoadedCopy();
        source.holdingMigratedGuest();

        recover();

        assertThat(migration().getPhase()).as(migration().getMessage()).isEqualTo(Phase.COMPLETED);
        assertThat(vsi().getHost()).isEqualTo("host-2");
        assertThat(target.copy()).isEqualTo("running");
        assertThat(source.calls()).as("the source's copy goes with its desired state, never resumed").isEmpty();
        assertThat(allocated("host-1")).doesNotContain(VSI);
        assertThat(roles("host-1")).isEmpty();
    }

    @Test
    void aNewLeaderRollsBackASwitchoverWhoseTargetLostItsCopy() throws Exception {
        inSwitchover();
        source.holdingMigratedGuest();
        target.resumes(attempt -> {
            throw Status.NOT_FOUND.withDescription("VSI web-1 does not run on this host").asRuntimeException();
        });

        recover();

        assertRolledBack("its copy is gone");
    }

    @Test
    void aMigrationUnderWayHasProgressSeriesThatGoWhenItEnds() throws Exception {
        accepted();
        AtomicReference<Map<String, Double>> during = new AtomicReference<>();
        source.whileSending(() -> {
            // The runner takes the sample on its own thread: wait for it to show, bounded.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> series().containsKey(
                    "hvf_migration_data_remaining_bytes"));
            during.set(series());
        });

        run();

        assertThat(during.get()).contains(
                entry("hvf_migration_phase{phase=PRECOPY}", 1.0),
                entry("hvf_migration_phase{phase=PENDING}", 0.0),
                entry("hvf_migration_rung{rung=precopy}", 1.0),
                entry("hvf_migration_data_remaining_bytes", (double) (255L << 20)),
                entry("hvf_migration_data_processed_bytes", (double) (1 << 20)),
                entry("hvf_migration_dirty_memory_rate_bytes_per_second", 2.0 * (1 << 20)),
                entry("hvf_migration_memory_transfer_rate_bytes_per_second", 8.0 * (1 << 20)));
        assertThat(migration().getPhase()).as(migration().getMessage()).isEqualTo(Phase.COMPLETED);
        assertThat(series()).as("nothing is left of a migration that ended").isEmpty();
    }

    @Test
    void aMigrationThatEndsWithoutMovingLeavesNoSeriesEither() throws Exception {
        accepted();
        target.loads(ScriptedNode.Load.FAILED);

        run();

        assertThat(migration().getPhase()).as(migration().getMessage()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(series()).isEmpty();
    }

    private Map<String, Double> series() {
        return MigrationSeries.of(registry, ID, VSI, "host-1", "host-2");
    }

    private void assertRolledBack(String because) {
        Migration ended = migration();
        assertThat(ended.getPhase()).as(ended.getMessage()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(ended.getMessage()).contains(because).contains("the VSI stays on host-1");
        // The source's cont is the rollback's last call, made after the record ends: wait for it, bounded.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(source.guest()).as("the source's paused copy runs again").isEqualTo("running"));
        assertThat(vsi().getHost()).isEqualTo("host-1");
        assertThat(vsi().getState()).isEqualTo(Vsi.State.RUNNING);
        assertThat(vsi().getMigrationId()).isEmpty();
        assertThat(allocated("host-1")).contains(VSI);
        assertThat(allocated("host-2")).as("the target's reservation is released").doesNotContain(VSI);
        assertThat(roles("host-1")).containsExactly("RUNNING");
        assertThat(roles("host-2")).as("the target's agent removes whatever is left of its copy").isEmpty();
    }

    private void run() {
        new MigrationRunner(ID, term, view, ops, agents, new MigrationMetrics(registry),
                new MigrationTransport(false, 1), t -> true, background, LIMITS).run();
    }

    private void recover() {
        MigrationRunner.recover(ID, term, view, ops, agents, new MigrationMetrics(new PrometheusRegistry()),
                new MigrationTransport(false, 1), t -> true, background, LIMITS);
    }

    /** As {@code MigrationOperations.accept} leaves it: the VSI marked migrating, host-2's capacity reserved. */
    private void accepted() throws Exception {
        seed(Migration.newBuilder().setPhase(Phase.PENDING).build());
    }

    /** What a leader that died right after recording the switchover leaves. */
    private void inSwitchover() throws Exception {
        seed(Migration.newBuilder().setPhase(Phase.SWITCHOVER).setProgress(MigrationProgress.newBuilder()
                .setStatus("completed").setDowntimeMs(4)).build());
    }

    private void seed(Migration start) throws Exception {
        seed(start, VsiSpec.newBuilder());
    }

    /** {@code vsi}: the VSI's spec but for its name and size. */
    private void seed(Migration start, VsiSpec.Builder vsi) throws Exception {
        VsiSpec spec = vsi.setName(VSI).setVcpus(1).setMemoryMib(256).build();
        Resources one = Resources.newBuilder().setVcpus(1).setMemoryMib(256).setVsiCount(1).build();
        for (String host : List.of("host-1", "host-2")) {
            put(keys.of(Keys.Kind.HOST, host), HostRecord.newBuilder().setId(host).setAddress(address(host))
                    .setCapacity(Resources.newBuilder().setVcpus(2).setMemoryMib(4096)).build());
            put(keys.of(Keys.Kind.HOST_ALLOCATION, host), HostAllocation.newBuilder().setAllocated(one).addVsis(VSI)
                    .build());
        }
        put(keys.of(Keys.Kind.VSI, VSI), VsiRecord.newBuilder().setSpec(spec).setHost("host-1").setDesired("RUNNING")
                .setState(Vsi.State.MIGRATING).setMigrationId(ID)
                .setImage(Image.newBuilder().setName("default").setKernel("/k").setInitrd("/i")).build());
        put(keys.of(Keys.Kind.MIGRATION, ID), start.toBuilder().setId(ID).setName(VSI).setFrom("host-1")
                .setTo("host-2").setMemoryMib(256).setCreatedAt(Times.timestamp(Instant.now())).build());
        view.start();
    }

    private void put(ByteSequence key, Message record) throws Exception {
        client.getKVClient().put(key, RecordCodec.encode(record)).get(10, TimeUnit.SECONDS);
    }

    /** Waits until the view has everything etcd committed so far. */
    private void caughtUp() {
        try {
            long revision = client.getKVClient().get(keys.of(Keys.Kind.VSI, VSI)).get(10, TimeUnit.SECONDS)
                    .getHeader().getRevision();
            assertThat(view.awaitRevision(revision, 5000)).isTrue();
        } catch (Exception e) {
            throw new AssertionError("cannot read etcd", e);
        }
    }

    private String address(String host) {
        return host + "-" + tag + ":7000";
    }

    private Migration migration() {
        return view.migration(ID).orElseThrow().value();
    }

    private VsiRecord vsi() {
        return view.vsi(VSI).orElseThrow().value();
    }

    private List<String> allocated(String host) {
        return view.allocation(host).orElseThrow().value().getVsisList();
    }

    /** What the host's agent is told to do with the VSI: nothing listed means its copy there is destroyed. */
    private List<String> roles(String host) {
        return new DesiredStates(view).desiredFor(host).getVsisList().stream().map(VsiAssignment::getDesired)
                .toList();
    }
}
