package io.hvfabric.common.metrics;

import io.hvfabric.common.error.FabricException;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Prometheus endpoint of a fabric process: {@code GET /metrics} on the bind address, serving the default registry
 * (where {@code hvf_*} metrics are registered) plus the JVM metrics, registered once per process.
 */
public final class MetricsServer implements AutoCloseable {
    private static final AtomicBoolean JVM_METRICS_REGISTERED = new AtomicBoolean();

    private final HTTPServer server;

    private MetricsServer(HTTPServer server) {
        this.server = server;
    }

    /** Port 0 picks a free port; see {@link #port()}. */
    public static MetricsServer start(InetSocketAddress bind) {
        if (JVM_METRICS_REGISTERED.compareAndSet(false, true)) {
            JvmMetrics.builder().register();
        }
        try {
            HTTPServer server = HTTPServer.builder()
                    .inetAddress(bind.getAddress())
                    .port(bind.getPort())
                    .registry(PrometheusRegistry.defaultRegistry)
                    .buildAndStart();
            return new MetricsServer(server);
        } catch (IOException e) {
            throw FabricException.unavailable(e, "cannot start the metrics server on %s: %s", bind, e.getMessage());
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
