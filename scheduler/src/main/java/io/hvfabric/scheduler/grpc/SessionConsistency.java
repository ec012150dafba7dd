package io.hvfabric.scheduler.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.hvfabric.proto.SessionRevision;
import java.util.function.LongSupplier;

/**
 * Server side of {@link SessionRevision}: before a call that names a revision is handled, waits until this replica's
 * view has applied it; every answer's trailer says the revision the view had then. A view still behind after the
 * bound is answered anyway (the guarantee is lost, not the call): a replica that far behind is failing already.
 */
public final class SessionConsistency implements ServerInterceptor {
    /** Views apply a commit within milliseconds; this covers a busy machine with margin. */
    static final long WAIT_MILLIS = 2_000;

    /** Waits until the view has applied a revision; false when the bound passed first. */
    public interface RevisionWait {
        boolean await(long revision, long timeoutMillis);
    }

    private final LongSupplier viewRevision;
    private final RevisionWait waitForView;

    public SessionConsistency(LongSupplier viewRevision, RevisionWait waitForView) {
        this.viewRevision = viewRevision;
        this.waitForView = waitForView;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        long atLeast = SessionRevision.parse(headers.get(SessionRevision.AT_LEAST));
        if (atLeast > 0 && viewRevision.getAsLong() < atLeast) {
            waitForView.await(atLeast, WAIT_MILLIS);
        }
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                trailers.put(SessionRevision.ANSWERED_AT, Long.toString(viewRevision.getAsLong()));
                super.close(status, trailers);
            }
        }, headers);
    }
}
