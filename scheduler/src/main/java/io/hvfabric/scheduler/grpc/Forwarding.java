package io.hvfabric.scheduler.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.SessionRevision;
import io.hvfabric.proto.v1.LeaderRecord;
import io.hvfabric.scheduler.leader.LeaderElection;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Routes writes: the leader runs them under its term; a follower forwards them to the leader over gRPC. A call that
 * was already forwarded once is never forwarded again (two replicas with stale views could otherwise bounce it).
 * A forwarded call names its original principal and its certificate's serial ({@link CallerIdentity}), so the leader
 * authorizes the operator or agent who asked, not the follower whose certificate carries the call. A forwarded write
 * returns only once this replica's view has applied the leader's answer ({@link SessionRevision}), so the caller's next
 * read here sees its own write.
 */
public final class Forwarding implements AutoCloseable {
    static final Metadata.Key<String> FORWARDED_BY =
            Metadata.Key.of("hvf-forwarded-by", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> FORWARDED_CTX = Context.key("hvf-forwarded-by");

    private final String selfId;
    private final Supplier<Optional<Term>> leading;
    private final Supplier<Optional<LeaderRecord>> leader;
    private final Function<String, ManagedChannel> channelFactory;
    private final SessionConsistency.RevisionWait waitForView;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public Forwarding(String selfId, LeaderElection election, ClusterView view,
                      Function<String, ManagedChannel> channelFactory) {
        this(selfId, election::leading, () -> view.leader().map(ClusterView.Candidate::record), channelFactory,
                view::awaitRevision);
    }

    /** {@code leading}: the term this replica leads; {@code leader}: the leader as the view shows it. */
    Forwarding(String selfId, Supplier<Optional<Term>> leading, Supplier<Optional<LeaderRecord>> leader,
               Function<String, ManagedChannel> channelFactory) {
        this(selfId, leading, leader, channelFactory, (revision, timeoutMillis) -> true);
    }

    Forwarding(String selfId, Supplier<Optional<Term>> leading, Supplier<Optional<LeaderRecord>> leader,
               Function<String, ManagedChannel> channelFactory, SessionConsistency.RevisionWait waitForView) {
        this.selfId = selfId;
        this.leading = leading;
        this.leader = leader;
        this.channelFactory = channelFactory;
        this.waitForView = waitForView;
    }

    /** The term this replica leads, if any. */
    public Optional<Term> leading() {
        return leading.get();
    }

    /**
     * Runs {@code asLeader} here if this replica leads, else {@code forwarded} on a channel to the leader. Authorize
     * before routing: the leader trusts the principal this replica names.
     */
    public <T> T route(Function<Term, T> asLeader, Function<Channel, T> forwarded) {
        Optional<Term> term = leading.get();
        if (term.isPresent()) {
            return asLeader.apply(term.get());
        }
        if (FORWARDED_CTX.get() != null) {
            throw FabricException.notLeader(leaderHint());
        }
        LeaderRecord current = leader.get()
                .orElseThrow(() -> FabricException.unavailable("no scheduler leads right now; retry"));
        if (current.getId().equals(selfId)) {
            throw FabricException.unavailable("leadership is changing; retry");
        }
        // Empty only outside a guarded call; the leader then sees this replica's own role, which may do nothing.
        Optional<CallerIdentity.Caller> principal = CallerIdentity.currentCaller();
        ManagedChannel channel = channels.computeIfAbsent(current.getAddress(), channelFactory);
        AtomicLong answeredAt = new AtomicLong();
        T answer = forwarded.apply(ClientInterceptors.intercept(channel, markForwarded(principal, answeredAt)));
        if (answeredAt.get() > 0) {
            waitForView.await(answeredAt.get(), SessionConsistency.WAIT_MILLIS);
        }
        return answer;
    }

    private String leaderHint() {
        return leader.get().map(r -> r.getId() + " at " + r.getAddress()).orElse("unknown");
    }

    /** Names this replica and the principal; records the revision the leader answered at. */
    private ClientInterceptor markForwarded(Optional<CallerIdentity.Caller> principal, AtomicLong answeredAt) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(FORWARDED_BY, selfId);
                        principal.ifPresent(p -> CallerIdentity.forward(p, headers));
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onClose(io.grpc.Status status, Metadata trailers) {
                                answeredAt.set(SessionRevision.parse(trailers.get(SessionRevision.ANSWERED_AT)));
                                super.onClose(status, trailers);
                            }
                        }, headers);
                    }
                };
            }
        };
    }

    /** Server side: remembers that a call was forwarded, so it is not forwarded again. */
    public static ServerInterceptor serverInterceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String by = headers.get(FORWARDED_BY);
                if (by == null) {
                    return next.startCall(call, headers);
                }
                return Contexts.interceptCall(Context.current().withValue(FORWARDED_CTX, by), call, headers, next);
            }
        };
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.values().forEach(c -> {
            try {
                c.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
