package io.hvfabric.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.error.StatusDescriptions;
import io.hvfabric.common.tls.GrpcTls;
import io.hvfabric.proto.v1.GetHostRequest;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limits over a real HTTP/2 connection (Netty, plaintext), as a non-Java client would meet them: huge error
 * messages and huge requests are answered with their real code, never the client's "http2 exception".
 */
@Timeout(30)
class GrpcLimitsTest {
    private Server server;
    private ManagedChannel channel;
    private OperatorServiceGrpc.OperatorServiceBlockingStub stub;

    /** Echoes its input into errors, the way careless handlers do. */
    static final class EchoingService extends OperatorServiceGrpc.OperatorServiceImplBase {
        @Override
        public void getHost(GetHostRequest request, StreamObserver<Host> response) {
            if (request.getId().startsWith("status:")) {
                throw Status.INVALID_ARGUMENT.withDescription("bad id " + request.getId()).asRuntimeException();
            }
            // Bypasses the Excerpt (a rule template, not an argument): only the status bound stands in the way.
            throw FabricException.invalidArgument("id", "unknown host " + request.getId());
        }

        @Override
        public void registerImage(Image request, StreamObserver<Image> response) {
            response.onNext(request);
            response.onCompleted();
        }
    }

    @BeforeEach
    void start() {
        server = GrpcServerFactory.start(GrpcTls.serverBuilder(new InetSocketAddress("127.0.0.1", 0), Optional.empty()),
                new PrometheusRegistry(), new EchoingService());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
        stub = OperatorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aTenThousandCharacterInputComesBackAsItsOwnCodeWithAShortDescription() {
        for (String id : new String[] {"x".repeat(10_000), "status:" + "\u4e2d".repeat(10_000)}) {
            assertThatThrownBy(() -> stub.getHost(GetHostRequest.newBuilder().setId(id).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).endsWith("…");
                        assertThat(e.getStatus().getDescription().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                                .hasSizeLessThanOrEqualTo(StatusDescriptions.MAX_BYTES);
                    });
        }
    }

    @Test
    void aRequestOverTheMessageLimitIsRefusedBeforeAnyHandlerRuns() {
        Image huge = Image.newBuilder().setName("big").setCmdline("c".repeat(GrpcLimits.MAX_INBOUND_MESSAGE_BYTES))
                .build();
        assertThatThrownBy(() -> stub.registerImage(huge)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));

        Image fits = Image.newBuilder().setName("ok").setCmdline("c".repeat(1 << 20)).build();
        assertThat(stub.registerImage(fits)).isEqualTo(fits);
    }
}
