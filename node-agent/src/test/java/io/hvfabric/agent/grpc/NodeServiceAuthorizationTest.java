package io.hvfabric.agent.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.agent.driver.fake.FakeDriver;
import io.hvfabric.agent.guest.GuestCalls;
import io.hvfabric.agent.guest.GuestMonitors;
import io.hvfabric.agent.guest.GuestPolicy;
import io.hvfabric.agent.link.TermGuard;
import io.hvfabric.agent.migration.MigrationServiceHandlers;
import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.IssuedCertificate;
import io.hvfabric.cli.ca.Role;
import io.hvfabric.common.grpc.GrpcServerFactory;
import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.proto.v1.AwaitGuestRequest;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.GetHostInfoRequest;
import io.hvfabric.proto.v1.MigrationControlRequest;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.HostInfo;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import io.hvfabric.proto.v1.ReceiveMigrationRequest;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * NodeService drives guests (consoles, migrations, exec as root inside them): over mutual TLS, only a scheduler
 * certificate gets past the role check, for every method. (An in-process channel would carry no certificate and count
 * as --insecure, which every check admits.)
 */
@Timeout(60)
class NodeServiceAuthorizationTest {
    @TempDir
    Path dir;

    private final TermGuard terms = new TermGuard();
    private final Set<CertificateSerial> revoked = ConcurrentHashMap.newKeySet();
    private FabricCa ca;
    private Server server;
    private NodeServiceImpl service;
    private GuestMonitors monitors;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        ca = FabricCa.init(Files.createDirectories(dir.resolve("ca")));
        FakeDriver driver = new FakeDriver(dir.resolve("vms"));
        monitors = new GuestMonitors(driver::guestAgentSocket, GuestPolicy.DEFAULT, Clock.systemUTC(), (vsi, state) -> { });
        service = new NodeServiceImpl(HostInfo::getDefaultInstance, driver::consoleLog, name -> false,
                new MigrationServiceHandlers(Optional.empty(), Optional.empty(), terms),
                new GuestCalls(monitors, driver, "h1"), revoked::contains);
        server = GrpcServerFactory.start(GrpcTls.serverBuilder(new InetSocketAddress("127.0.0.1", 0),
                Optional.of(tls(ca.issue("h1", Role.AGENT, List.of("127.0.0.1"), List.of())))), new PrometheusRegistry(),
                service);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channels.forEach(ManagedChannel::shutdownNow);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        service.close();
        monitors.close();
    }

    private static TlsFiles tls(IssuedCertificate issued) {
        return new TlsFiles(issued.caCertificateFile(), issued.certificateFile(), issued.keyFile()).requireReadable();
    }

    private NodeServiceGrpc.NodeServiceBlockingStub as(String name, Role role) {
        return as(ca.issue(name, role, List.of("127.0.0.1"), List.of()));
    }

    private NodeServiceGrpc.NodeServiceBlockingStub as(IssuedCertificate certificate) {
        ManagedChannel channel = GrpcTls.channel("127.0.0.1:" + server.getPort(), Optional.of(tls(certificate)));
        channels.add(channel);
        return NodeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static void assertStatus(ThrowingCallable call, Status.Code code, String description) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).isEqualTo(description);
        });
    }

    @Test
    void anotherAgentOrAnOperatorIsRefusedBothCalls() {
        ExecVsiRequest exec = ExecVsiRequest.newBuilder().setName("vm1").addCommand("/bin/true").build();
        AwaitGuestRequest await = AwaitGuestRequest.newBuilder().setName("vm1").build();
        NodeServiceGrpc.NodeServiceBlockingStub agent = as("h2", Role.AGENT);
        NodeServiceGrpc.NodeServiceBlockingStub operator = as("alice", Role.OPERATOR);

        assertStatus(() -> agent.guestExec(exec), Status.Code.PERMISSION_DENIED,
                "peer 'h2' has role 'agent'; this call requires one of [scheduler]");
        assertStatus(() -> agent.awaitGuest(await), Status.Code.PERMISSION_DENIED,
                "peer 'h2' has role 'agent'; this call requires one of [scheduler]");
        assertStatus(() -> operator.guestExec(exec), Status.Code.PERMISSION_DENIED,
                "peer 'alice' has role 'operator'; this call requires one of [scheduler]");
    }

    @Test
    void everyOtherMethodIsRefusedToAnotherAgentToo() {
        NodeServiceGrpc.NodeServiceBlockingStub agent = as("h2", Role.AGENT);
        String denied = "peer 'h2' has role 'agent'; this call requires one of [scheduler]";
        MigrationControlRequest control = MigrationControlRequest.newBuilder().setMigrationId("m1").setName("vm1")
                .setTerm(Long.MAX_VALUE).build();
        assertStatus(() -> agent.getHostInfo(GetHostInfoRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED,
                denied);
        assertStatus(() -> agent.abortMigration(control), Status.Code.PERMISSION_DENIED, denied);
        assertStatus(() -> agent.cancelMigration(control), Status.Code.PERMISSION_DENIED, denied);
        assertStatus(() -> agent.resumeTarget(control), Status.Code.PERMISSION_DENIED, denied);
        assertStatus(() -> agent.streamConsole(ConsoleRequest.newBuilder().setName("vm1").build()).hasNext(),
                Status.Code.PERMISSION_DENIED, denied);
        assertThat(terms.highest()).as("a refused call teaches no term").isZero();
    }

    /** The key QEMU holds during a migration: leaked from a guest's run directory, it opens no method of this host. */
    @Test
    void theHostsOwnMigrationCertificateIsRefusedEveryMethod() {
        ManagedChannel channel = GrpcTls.channel("127.0.0.1:" + server.getPort(), Optional.of(tls(
                ca.issue("h1", Role.MIGRATION, List.of("127.0.0.1"), List.of()))));
        channels.add(channel);
        NodeServiceGrpc.NodeServiceBlockingStub leaked = NodeServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS);
        String denied = "peer 'h1' has role 'migration'; this call requires one of [scheduler]";
        MigrationControlRequest control = MigrationControlRequest.newBuilder().setMigrationId("m1").setName("vm1")
                .setTerm(Long.MAX_VALUE).build();

        assertStatus(() -> leaked.getHostInfo(GetHostInfoRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED,
                denied);
        assertStatus(() -> leaked.guestExec(ExecVsiRequest.newBuilder().setName("vm1").addCommand("/bin/true").build()),
                Status.Code.PERMISSION_DENIED, denied);
        assertStatus(() -> leaked.abortMigration(control), Status.Code.PERMISSION_DENIED, denied);
        assertStatus(() -> leaked.resumeTarget(control), Status.Code.PERMISSION_DENIED, denied);
        assertStatus(() -> leaked.receiveMigration(ReceiveMigrationRequest.newBuilder().setMigrationId("m1").build())
                .hasNext(), Status.Code.PERMISSION_DENIED, denied);
        assertThat(terms.highest()).as("a refused call teaches no term").isZero();
    }

    /**
     * A revoked scheduler certificate is refused every method, on a connection it opened before the revocation too,
     * before the role check and before any term is looked at; another scheduler certificate still passes.
     */
    @Test
    void aRevokedSchedulerCertificateIsRefusedOnItsOpenConnectionAndOnANewOne() {
        IssuedCertificate stolen = ca.issue("s1", Role.SCHEDULER, List.of("127.0.0.1"), List.of());
        NodeServiceGrpc.NodeServiceBlockingStub open = as(stolen);
        assertThat(open.getHostInfo(GetHostInfoRequest.getDefaultInstance())).isNotNull();

        CertificateSerial serial = CertificateSerial.of(stolen.certificate());
        revoked.add(serial);

        String refusal = "certificate serial " + serial.hex() + " is revoked";
        MigrationControlRequest control = MigrationControlRequest.newBuilder().setMigrationId("m1").setName("vm1")
                .setTerm(Long.MAX_VALUE).build();
        assertStatus(() -> open.getHostInfo(GetHostInfoRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED,
                refusal);
        assertStatus(() -> open.abortMigration(control), Status.Code.UNAUTHENTICATED, refusal);
        assertStatus(() -> open.receiveMigration(ReceiveMigrationRequest.newBuilder().setMigrationId("m1").build())
                .hasNext(), Status.Code.UNAUTHENTICATED, refusal);
        assertStatus(() -> as(stolen).getHostInfo(GetHostInfoRequest.getDefaultInstance()),
                Status.Code.UNAUTHENTICATED, refusal);
        assertThat(terms.highest()).as("a refused call teaches no term").isZero();
        assertThat(as("s2", Role.SCHEDULER).getHostInfo(GetHostInfoRequest.getDefaultInstance())).isNotNull();
    }

    @Test
    void aTermInARequestIsComparedButNeverLearned() {
        NodeServiceGrpc.NodeServiceBlockingStub scheduler = as("s1", Role.SCHEDULER);
        MigrationControlRequest huge = MigrationControlRequest.newBuilder().setMigrationId("m1").setName("vm1")
                .setTerm(Long.MAX_VALUE).build();
        assertThatThrownBy(() -> scheduler.abortMigration(huge)).isInstanceOf(StatusRuntimeException.class);
        assertThat(terms.highest()).isZero();
        assertThat(terms.notOlder(5)).isTrue();
    }

    @Test
    void theSchedulerGetsPastTheRoleCheck() {
        assertThat(as("s1", Role.SCHEDULER).getHostInfo(GetHostInfoRequest.getDefaultInstance())).isNotNull();
        NodeServiceGrpc.NodeServiceBlockingStub scheduler = as("s1", Role.SCHEDULER);

        assertStatus(() -> scheduler.guestExec(ExecVsiRequest.newBuilder().setName("vm1").addCommand("/bin/true").build()),
                Status.Code.NOT_FOUND, "vsi 'vm1' does not run on host h1");
        assertStatus(() -> scheduler.awaitGuest(AwaitGuestRequest.newBuilder().setName("vm1").setTimeoutMs(400_000).build()),
                Status.Code.INVALID_ARGUMENT, "field 'timeout_ms': must be within 0..300000, 0 for 10000 (got 400000)");
    }
}
