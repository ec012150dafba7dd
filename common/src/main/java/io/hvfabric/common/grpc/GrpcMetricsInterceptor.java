package io.hvfabric.common.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Server-side call metrics: {@code hvf_grpc_requests_total{method,code}} and
 * {@code hvf_grpc_request_duration_seconds{method}} (classic buckets), {@code method} being the full method name.
 * A call ends when the server closes it or the client cancels it (code CANCELLED).
 *
 * <p>One instance per registry ({@link #forRegistry}) since a registry refuses the same metric name twice, while
 * several servers may run in one process (tests, lab).
 */
public final class GrpcMetricsInterceptor implements ServerInterceptor {
    private static final Map<PrometheusRegistry, GrpcMetricsInterceptor> BY_REGISTRY = new ConcurrentHashMap<>();

    private final Counter requests;
    private final Histogram duration;

    private GrpcMetricsInterceptor(PrometheusRegistry registry) {
        requests = Counter.builder()
                .name("hvf_grpc_requests_total")
                .help("gRPC calls served, by full method name and status code")
                .labelNames("method", "code")
                .register(registry);
        duration = Histogram.builder()
                .name("hvf_grpc_request_duration_seconds")
                .help("Duration of served gRPC calls, from start to close or cancellation")
                .labelNames("method")
                .classicOnly()
                .register(registry);
    }

    public static GrpcMetricsInterceptor forRegistry(PrometheusRegistry registry) {
        return BY_REGISTRY.computeIfAbsent(registry, GrpcMetricsInterceptor::new);
    }

    public static GrpcMetricsInterceptor forDefaultRegistry() {
        return forRegistry(PrometheusRegistry.defaultRegistry);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        long startNanos = System.nanoTime();
        AtomicBoolean recorded = new AtomicBoolean();
        ServerCall<Q, R> measured = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                record(method, status.getCode(), startNanos, recorded);
                super.close(status, trailers);
            }
        };
        return new SimpleForwardingServerCallListener<>(next.startCall(measured, headers)) {
            @Override
            public void onCancel() {
                record(method, Status.Code.CANCELLED, startNanos, recorded);
                super.onCancel();
            }
        };
    }

    private void record(String method, Status.Code code, long startNanos, AtomicBoolean recorded) {
        if (recorded.compareAndSet(false, true)) {
            requests.labelValues(method, code.name()).inc();
            duration.labelValues(method).observe((System.nanoTime() - startNanos) / 1e9);
        }
    }
}
