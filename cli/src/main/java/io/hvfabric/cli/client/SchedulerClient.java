package io.hvfabric.cli.client;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.cli.CliException;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.OperatorServiceGrpc.OperatorServiceBlockingStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The operator API across several scheduler replicas. Every replica answers reads and forwards
 * writes to the leader, so a call goes to the first endpoint and moves on to the next only when
 * one is UNAVAILABLE. Any other status is the answer and is raised as a {@link CliException}.
 */
public final class SchedulerClient implements AutoCloseable {
    private final List<Endpoint> endpoints;
    private final TransportSecurity security;
    private final ChannelFactory channelFactory;
    private final Duration rpcDeadline;
    // Concurrent: vsi create --wait watches on one thread while polling on another.
    private final Map<Endpoint, ManagedChannel> channels = new ConcurrentHashMap<>();
    /** The endpoint that answered last: later calls of the same command start there. */
    private volatile int preferred;

    public SchedulerClient(List<Endpoint> endpoints, TransportSecurity security, ChannelFactory channelFactory,
            Duration rpcDeadline) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: at least one scheduler endpoint is required");
        }
        this.endpoints = List.copyOf(endpoints);
        this.security = Objects.requireNonNull(security, "security");
        this.channelFactory = Objects.requireNonNull(channelFactory, "channelFactory");
        this.rpcDeadline = Objects.requireNonNull(rpcDeadline, "rpcDeadline");
    }

    /** One unary RPC with the per-call deadline. */
    public <T> T call(Function<OperatorServiceBlockingStub, T> rpc) {
        return call(rpc, rpcDeadline);
    }

    /** One unary RPC with its own deadline, for calls that last as long as they were asked to (vsi exec). */
    public <T> T call(Function<OperatorServiceBlockingStub, T> rpc, Duration deadline) {
        Map<Endpoint, Status> failures = new LinkedHashMap<>();
        for (int attempt = 0; attempt < endpoints.size(); attempt++) {
            int index = (preferred + attempt) % endpoints.size();
            Endpoint endpoint = endpoints.get(index);
            try {
                T result = rpc.apply(stub(endpoint, deadline));
                preferred = index;
                return result;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw GrpcErrors.toCliException(e);
                }
                failures.put(endpoint, e.getStatus());
            }
        }
        throw unreachable(failures);
    }

    /**
     * A server-streaming RPC whose items go to {@code sink} until the stream ends. Fails over only
     * while nothing has been delivered, so the sink never sees an item twice.
     *
     * @param deadline bound on the whole stream, or null for none (a followed console)
     */
    public <T> void stream(Function<OperatorServiceBlockingStub, Iterator<T>> rpc, Duration deadline, Consumer<T> sink) {
        Map<Endpoint, Status> failures = new LinkedHashMap<>();
        for (int attempt = 0; attempt < endpoints.size(); attempt++) {
            int index = (preferred + attempt) % endpoints.size();
            Endpoint endpoint = endpoints.get(index);
            boolean delivered = false;
            try {
                Iterator<T> items = rpc.apply(stub(endpoint, deadline));
                while (items.hasNext()) {
                    T item = items.next();
                    delivered = true;
                    preferred = index;
                    sink.accept(item);
                }
                preferred = index;
                return;
            } catch (StatusRuntimeException e) {
                if (delivered || e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw GrpcErrors.toCliException(e);
                }
                failures.put(endpoint, e.getStatus());
            }
        }
        throw unreachable(failures);
    }

    private OperatorServiceBlockingStub stub(Endpoint endpoint, Duration deadline) {
        ManagedChannel channel = channels.computeIfAbsent(endpoint, e -> channelFactory.open(e, security));
        OperatorServiceBlockingStub stub = OperatorServiceGrpc.newBlockingStub(channel);
        return deadline == null ? stub : stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static CliException unreachable(Map<Endpoint, Status> failures) {
        List<String> parts = new ArrayList<>();
        failures.forEach((endpoint, status) -> parts.add(endpoint + ": " + GrpcErrors.detail(status)));
        return CliException.failure("cannot reach scheduler at " + String.join("; at ", parts));
    }

    @Override
    public void close() {
        for (ManagedChannel channel : channels.values()) {
            channel.shutdownNow();
        }
        for (ManagedChannel channel : channels.values()) {
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
