package io.hvfabric.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.error.GrpcErrors;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.common.tls.PeerIdentity;
import io.hvfabric.common.tls.Roles;
import io.hvfabric.proto.v1.GetHostRequest;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.Vsi;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class GrpcServerFactoryTest {
    private static final String GET_HOST = "hvfabric.v1.OperatorService/GetHost";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private Server server;
    private ManagedChannel channel;
    private OperatorServiceGrpc.OperatorServiceBlockingStub stub;

    /** Fails in the ways services do: thrown fabric errors, onError, bugs, role checks. */
    static final class ScriptedService extends OperatorServiceGrpc.OperatorServiceImplBase {
        @Override
        public void getHost(GetHostRequest request, StreamObserver<Host> response) {
            switch (request.getId()) {
                case "missing":
                    throw FabricException.notFound("host", request.getId());
                case "follower":
                    throw FabricException.notLeader("s2");
                case "bug":
                    throw new IllegalStateException("boom");
                case "status":
                    throw Status.ABORTED.withDescription("raced").asRuntimeException();
                default:
                    Peer peer = PeerIdentity.requireRole(Roles.OPERATOR);
                    response.onNext(Host.newBuilder().setId(request.getId()).setAddress(peer.name()).build());
                    response.onCompleted();
            }
        }

        @Override
        public void watchVsi(GetVsiRequest request, StreamObserver<Vsi> response) {
            response.onNext(Vsi.getDefaultInstance());
            response.onError(FabricException.failedPrecondition("vsi '%s' was deleted", request.getName()));
        }
    }

    @BeforeEach
    void start() {
        String name = InProcessServerBuilder.generateName();
        server = GrpcServerFactory.start(InProcessServerBuilder.forName(name), registry, new ScriptedService());
        channel = InProcessChannelBuilder.forName(name).build();
        stub = OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void thrownFabricErrorReachesTheClientWithCodeMessageAndTrailer() {
        StatusRuntimeException e = callExpectingError("missing");
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).isEqualTo("host 'missing' not found");

        FabricException forwarded = GrpcErrors.fromStatus(callExpectingError("follower"));
        assertThat(forwarded.code()).isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(forwarded.leaderHint()).contains("s2");
    }

    @Test
    void unexpectedExceptionBecomesInternalAndStatusPassesThrough() {
        StatusRuntimeException bug = callExpectingError("bug");
        assertThat(bug.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(bug.getStatus().getDescription()).isEqualTo("internal error (IllegalStateException: boom)");

        assertThat(callExpectingError("status").getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    }

    @Test
    void onErrorWithFabricExceptionIsTranslatedForStreams() {
        Iterator<Vsi> stream = stub.watchVsi(GetVsiRequest.newBuilder().setName("web-1").build());
        assertThat(stream.next()).isEqualTo(Vsi.getDefaultInstance());
        assertThatThrownBy(stream::hasNext).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).isEqualTo("vsi 'web-1' was deleted");
        });
    }

    @Test
    void plaintextPeerIsInsecureAndAllowed() {
        Host host = stub.getHost(GetHostRequest.newBuilder().setId("h1").build());
        assertThat(host.getAddress()).isEqualTo(Peer.INSECURE.name());
    }

    @Test
    void healthAndReflectionAreServed() throws InterruptedException {
        HealthCheckResponse overall = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());
        assertThat(overall.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        HealthCheckResponse operator = HealthGrpc.newBlockingStub(channel)
                .check(HealthCheckRequest.newBuilder().setService("hvfabric.v1.OperatorService").build());
        assertThat(operator.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

        AtomicReference<ServerReflectionResponse> reply = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        reply.set(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(reply.get().getListServicesResponse().getServiceList())
                .extracting(s -> s.getName())
                .contains("hvfabric.v1.OperatorService", "grpc.health.v1.Health");
    }

    @Test
    void callsAreCountedByMethodAndFinalCode() {
        stub.getHost(GetHostRequest.newBuilder().setId("h1").build());
        callExpectingError("missing");
        callExpectingError("missing");

        assertThat(requestCount(GET_HOST, "OK")).isEqualTo(1.0);
        assertThat(requestCount(GET_HOST, "NOT_FOUND")).isEqualTo(2.0);
        HistogramSnapshot duration = (HistogramSnapshot) metric("hvf_grpc_request_duration_seconds");
        assertThat(duration.getDataPoints()).singleElement()
                .satisfies(p -> assertThat(p.getCount()).isEqualTo(3));
    }

    private StatusRuntimeException callExpectingError(String id) {
        try {
            stub.getHost(GetHostRequest.newBuilder().setId(id).build());
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("expected an error for " + id);
    }

    private double requestCount(String method, String code) {
        CounterSnapshot counter = (CounterSnapshot) metric("hvf_grpc_requests");
        return counter.getDataPoints().stream()
                .filter(p -> p.getLabels().equals(Labels.of("code", code, "method", method)))
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
                .findFirst()
                .orElse(0);
    }

    private MetricSnapshot metric(String name) {
        List<MetricSnapshot> all = registry.scrape().stream().toList();
        return all.stream().filter(m -> m.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
    }
}
