package io.hvfabric.common.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.hvfabric.common.error.ErrorTranslatingInterceptor;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.PeerIdentity;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

/**
 * Starts a gRPC server the fabric way: the given services plus the standard health service (all SERVING) and
 * server reflection (v1), behind the metrics, peer identity and error translation interceptors. Takes any
 * {@link ServerBuilder} so tests can pass an in-process builder and production a {@code GrpcTls.serverBuilder}.
 *
 * <p>Interceptor order, outermost first: metrics (sees the final, translated status), peer identity (puts the
 * caller in the Context), error translation (closest to the handlers). Every server gets the {@link GrpcLimits}.
 */
public final class GrpcServerFactory {
    private GrpcServerFactory() {}

    public static Server start(ServerBuilder<?> builder, BindableService... services) {
        return start(builder, new HealthStatusManager(), PrometheusRegistry.defaultRegistry, services);
    }

    public static Server start(ServerBuilder<?> builder, PrometheusRegistry registry, BindableService... services) {
        return start(builder, new HealthStatusManager(), registry, services);
    }

    /** Pass your own {@code health} to change serving status later (e.g. NOT_SERVING while draining). */
    public static Server start(
            ServerBuilder<?> builder,
            HealthStatusManager health,
            PrometheusRegistry registry,
            BindableService... services) {
        GrpcLimits.apply(builder);
        for (BindableService service : services) {
            ServerServiceDefinition definition = service.bindService();
            builder.addService(definition);
            health.setStatus(definition.getServiceDescriptor().getName(), ServingStatus.SERVING);
        }
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        builder.addService(health.getHealthService());
        builder.addService(ProtoReflectionServiceV1.newInstance());
        // ServerBuilder.intercept: the interceptor added last runs first.
        builder.intercept(new ErrorTranslatingInterceptor());
        builder.intercept(new PeerIdentity());
        builder.intercept(GrpcMetricsInterceptor.forRegistry(registry));
        try {
            return builder.build().start();
        } catch (IOException e) {
            throw FabricException.unavailable(e, "cannot start gRPC server: %s", e.getMessage());
        }
    }
}
