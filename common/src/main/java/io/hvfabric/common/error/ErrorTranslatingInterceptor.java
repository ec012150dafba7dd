package io.hvfabric.common.error;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets service implementations simply throw {@link FabricException} (or pass it to {@code onError}): exceptions
 * escaping a handler close the call with the mapped status, and a close carrying a FabricException as cause (what
 * {@code StreamObserver.onError(fabricException)} produces, as UNKNOWN) is re-mapped to the fabric code.
 * Anything else unexpected becomes INTERNAL instead of gRPC's opaque UNKNOWN. Every status leaves with its
 * description {@link StatusDescriptions#bounded bounded}, whoever built it.
 */
public final class ErrorTranslatingInterceptor implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(ErrorTranslatingInterceptor.class);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        TranslatingCall<Q, R> translating = new TranslatingCall<>(call);
        ServerCall.Listener<Q> delegate;
        try {
            delegate = next.startCall(translating, headers);
        } catch (RuntimeException e) {
            translating.closeWith(e);
            return new ServerCall.Listener<>() {};
        }
        return new SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onMessage(Q message) {
                try {
                    super.onMessage(message);
                } catch (RuntimeException e) {
                    translating.closeWith(e);
                }
            }

            @Override
            public void onHalfClose() {
                try {
                    super.onHalfClose();
                } catch (RuntimeException e) {
                    translating.closeWith(e);
                }
            }

            @Override
            public void onReady() {
                try {
                    super.onReady();
                } catch (RuntimeException e) {
                    translating.closeWith(e);
                }
            }

            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } catch (RuntimeException e) {
                    log.warn("handler failed while the call {} was being cancelled", call.getMethodDescriptor()
                            .getFullMethodName(), e);
                }
            }

            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } catch (RuntimeException e) {
                    log.warn("handler failed after the call {} completed", call.getMethodDescriptor()
                            .getFullMethodName(), e);
                }
            }
        };
    }

    /** Remembers whether the call was closed, so a handler that fails after closing cannot close twice. */
    private static final class TranslatingCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
        private final AtomicBoolean closed = new AtomicBoolean();

        TranslatingCall(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            Throwable cause = status.getCause();
            if (!status.isOk() && status.getCode() == Status.Code.UNKNOWN && cause instanceof FabricException) {
                StatusRuntimeException mapped = GrpcErrors.toStatus(cause);
                super.close(StatusDescriptions.bounded(mapped.getStatus()), merge(trailers, mapped.getTrailers()));
                return;
            }
            super.close(StatusDescriptions.bounded(status), trailers);
        }

        void closeWith(RuntimeException e) {
            if (closed.get()) {
                log.warn("handler of {} failed after the call was closed", getMethodDescriptor().getFullMethodName(), e);
                return;
            }
            StatusRuntimeException mapped = GrpcErrors.toStatus(e);
            close(mapped.getStatus(), merge(new Metadata(), mapped.getTrailers()));
        }

        private static Metadata merge(Metadata base, Metadata extra) {
            Metadata merged = base == null ? new Metadata() : base;
            if (extra != null) {
                merged.merge(extra);
            }
            return merged;
        }
    }
}
