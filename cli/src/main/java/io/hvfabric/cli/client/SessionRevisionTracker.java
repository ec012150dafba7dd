package io.hvfabric.cli.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.hvfabric.proto.SessionRevision;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client side of {@link SessionRevision}: remembers the highest revision any replica answered at and asks every later
 * call of this hvctl run to be answered at or after it, so a command that writes and then reads (drain --wait, create
 * --wait) sees its own write on whichever replica answers.
 */
final class SessionRevisionTracker implements ClientInterceptor {
    private final AtomicLong highest = new AtomicLong();

    long highest() {
        return highest.get();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                long atLeast = highest.get();
                if (atLeast > 0) {
                    headers.put(SessionRevision.AT_LEAST, Long.toString(atLeast));
                }
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        long answeredAt = SessionRevision.parse(trailers.get(SessionRevision.ANSWERED_AT));
                        highest.accumulateAndGet(answeredAt, Math::max);
                        super.onClose(status, trailers);
                    }
                }, headers);
            }
        };
    }
}
