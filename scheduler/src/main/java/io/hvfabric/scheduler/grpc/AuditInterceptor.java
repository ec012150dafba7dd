package io.hvfabric.scheduler.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.hvfabric.common.error.Excerpt;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.common.tls.PeerIdentity;
import io.hvfabric.common.tls.Roles;
import io.hvfabric.proto.v1.AuditPrincipal;
import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.scheduler.store.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Records each {@link AuditedCalls audited} OperatorService call as an {@link AuditRecord} once it ends: the
 * principal, the method, the object its request names, and the status the caller got, refusals included. It must run
 * inside {@link CallerIdentity} (for the principal) and outside the role check, behind its own error translation, so
 * it sees a refusal as the status it becomes ({@link Authorization#guarded} orders them so).
 *
 * <p>A call a follower forwarded to the leader was recorded by the follower, the replica its caller reached, with the
 * status the caller got: the leader does not record it again. The {@code hvf-forwarded-by} header counts only from a
 * scheduler certificate (or on a plaintext fabric, where nothing is authenticated), so no caller escapes the log by
 * sending it. Records go to {@code sink}, which must not block ({@code AuditWriter::submit}).
 */
public final class AuditInterceptor implements ServerInterceptor {
    static final int MAX_MESSAGE = 200;

    private final String replica;
    private final Consumer<AuditRecord> sink;
    private final Clock clock;

    public AuditInterceptor(String replica, Consumer<AuditRecord> sink, Clock clock) {
        this.replica = replica;
        this.sink = sink;
        this.clock = clock;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        MethodDescriptor<Q, R> method = call.getMethodDescriptor();
        if (!AuditedCalls.covers(method) || forwardedByAReplica(headers)) {
            return next.startCall(call, headers);
        }
        Pending pending = new Pending(method, CallerIdentity.current(), clock.instant());
        ServerCall<Q, R> observed = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                pending.end(status);
                super.close(status, trailers);
            }
        };
        return new SimpleForwardingServerCallListener<>(next.startCall(observed, headers)) {
            @Override
            public void onMessage(Q message) {
                pending.request = message;
                super.onMessage(message);
            }

            @Override
            public void onCancel() {
                pending.end(Status.CANCELLED.withDescription("cancelled by the caller"));
                super.onCancel();
            }
        };
    }

    private static boolean forwardedByAReplica(Metadata headers) {
        if (!headers.containsKey(Forwarding.FORWARDED_BY)) {
            return false;
        }
        Optional<Peer> tlsPeer = PeerIdentity.current();
        return tlsPeer.isPresent() && (tlsPeer.get().insecure() || Roles.SCHEDULER.equals(tlsPeer.get().role()));
    }

    /** One call in flight: recorded once, at its close or cancellation, whichever comes first. */
    private final class Pending {
        private final MethodDescriptor<?, ?> method;
        private final Optional<Peer> principal;
        private final Instant received;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile Object request;

        Pending(MethodDescriptor<?, ?> method, Optional<Peer> principal, Instant received) {
            this.method = method;
            this.principal = principal;
            this.received = received;
        }

        void end(Status status) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            Object asked = request;
            Optional<String> object = asked == null ? Optional.of("") : AuditedCalls.objectOf(method, asked);
            if (object.isEmpty()) {
                return; // a dry run: nothing changed
            }
            sink.accept(AuditRecord.newBuilder()
                    .setTime(Times.timestamp(received))
                    .setPrincipal(principal.map(AuditInterceptor::principal).orElse(AuditPrincipal.getDefaultInstance()))
                    .setMethod(method.getBareMethodName())
                    // Quoted as an error message quotes input: a refused 2 MiB name must neither make the record
                    // too large for etcd (it would be dropped, the call unaudited) nor put controls on a terminal.
                    .setObject(Excerpt.of(object.get()))
                    .setCode(status.getCode().name())
                    .setMessage(shortened(status.getDescription()))
                    .setReplica(replica)
                    .build());
        }
    }

    private static AuditPrincipal principal(Peer peer) {
        return AuditPrincipal.newBuilder().setRole(peer.role()).setName(peer.name()).setTenant(peer.tenant()).build();
    }

    static String shortened(String description) {
        if (description == null) {
            return "";
        }
        return description.length() <= MAX_MESSAGE ? description : description.substring(0, MAX_MESSAGE - 1) + "…";
    }
}
