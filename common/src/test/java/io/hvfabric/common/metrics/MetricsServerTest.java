package io.hvfabric.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hvfabric.common.grpc.GrpcServerFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MetricsServerTest {
    @Test
    @Timeout(20)
    void servesFabricAndJvmMetrics() throws Exception {
        String name = InProcessServerBuilder.generateName();
        Server grpc = GrpcServerFactory.start(InProcessServerBuilder.forName(name)); // default registry
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        try (MetricsServer metrics = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());

            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + "/metrics"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(metrics.port()).isPositive();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body())
                    .contains("hvf_grpc_requests_total{code=\"OK\",method=\"grpc.health.v1.Health/Check\"} 1")
                    .contains("hvf_grpc_request_duration_seconds_bucket")
                    .contains("jvm_memory_used_bytes");
        } finally {
            channel.shutdownNow();
            grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
