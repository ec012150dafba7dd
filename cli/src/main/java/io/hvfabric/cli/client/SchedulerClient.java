package io.hvfabric.cli.client;

import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.cli.CliException;
import io.hvfabric.cli.output.Units;
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
 * A unary call's deadline runs from before the connection is made, so it bounds TCP, TLS and the answer together.
 */
public final class SchedulerClient implements AutoCloseable {
    private final List<Endpoint> endpoints;
    private final TransportSecurity security;
    private final ChannelFactory channelFactory;
    private final Duration rpcDeadline;
    // Concurrent: vsi create --wait watches on one thread while polling on another.
    private final Map<Endpoint, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final SessionRevisionTracker session = new SessionRevisionTracker();
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
            Deadline expiry = Deadline.after(deadline.toMillis(), TimeUnit.MILLISECONDS);
            try {
                T result = rpc.apply(stub(endpoint, expiry));
                preferred = index;
                return result;
            } catch (StatusRuntimeException e) {
                // Ours only when it has passed: a scheduler may also answer DEADLINE_EXCEEDED for its own (etcd) calls.
                if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED && expiry.isExpired()) {
                    throw deadlineExceeded(endpoint, deadline, e);
                }
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
                Iterator<T> items = rpc.apply(stub(endpoint,
                        deadline == null ? null : Deadline.after(deadline.toMillis(), TimeUnit.MILLISECONDS)));
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

    private OperatorServiceBlockingStub stub(Endpoint endpoint, Deadline deadline) {
        OperatorServiceBlockingStub stub = OperatorServiceGrpc.newBlockingStub(
                ClientInterceptors.intercept(channel(endpoint), session));
        return deadline == null ? stub : stub.withDeadline(deadline);
    }

    private ManagedChannel channel(Endpoint endpoint) {
        return channels.computeIfAbsent(endpoint, e -> channelFactory.open(e, security));
    }

    /**
     * Names the deadline, whether it is --timeout's, and whether the connection was still being set up (a loaded
     * machine, a replica that accepts but does not answer) or the scheduler was slow to answer.
     */
    private CliException deadlineExceeded(Endpoint endpoint, Duration deadline, StatusRuntimeException e) {
        boolean connected = channel(endpoint).getState(false) == ConnectivityState.READY;
        String bound = Units.duration(deadline) + (deadline.equals(rpcDeadline) ? " (--timeout)" : "");
        return CliException.failure(connected
                ? "deadline exceeded: scheduler at " + endpoint + " did not answer within " + bound
                : "deadline exceeded: no connection to scheduler at " + endpoint + " within " + bound, e);
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
