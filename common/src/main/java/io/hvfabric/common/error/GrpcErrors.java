package io.hvfabric.common.error;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translation between the fabric's {@link FabricException} and gRPC status, used only at the edges: servers
 * translate on the way out ({@link ErrorTranslatingInterceptor}), clients that forward calls translate back.
 *
 * <p>Besides the status code and description, a fabric error carries the trailer {@code hvf-error-code} (the
 * {@link ErrorCode} name) so that NOT_LEADER survives the trip although it travels as UNAVAILABLE, and
 * {@code hvf-leader-hint} for NOT_LEADER when the leader is known.
 */
public final class GrpcErrors {
    public static final Metadata.Key<String> ERROR_CODE_KEY =
            Metadata.Key.of("hvf-error-code", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> LEADER_HINT_KEY =
            Metadata.Key.of("hvf-leader-hint", Metadata.ASCII_STRING_MARSHALLER);

    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);
    private static final int MAX_INTERNAL_DETAIL = 200;

    private GrpcErrors() {}

    /**
     * FabricException: its code and message (plus trailers); StatusRuntimeException: unchanged; StatusException:
     * same status; anything else: INTERNAL with a short message, logged with its stack trace here because the
     * client only sees the summary.
     */
    public static StatusRuntimeException toStatus(Throwable t) {
        if (t instanceof FabricException) {
            FabricException fe = (FabricException) t;
            Metadata trailers = new Metadata();
            trailers.put(ERROR_CODE_KEY, fe.code().name());
            fe.leaderHint().ifPresent(hint -> trailers.put(LEADER_HINT_KEY, asciiOnly(hint)));
            return Status.fromCode(fe.code().grpcCode())
                    .withDescription(fe.getMessage())
                    .withCause(fe)
                    .asRuntimeException(trailers);
        }
        if (t instanceof StatusRuntimeException) {
            return (StatusRuntimeException) t;
        }
        if (t instanceof StatusException) {
            StatusException se = (StatusException) t;
            return se.getStatus().asRuntimeException(se.getTrailers());
        }
        log.error("unexpected error while serving a call", t);
        return Status.INTERNAL.withDescription(internalSummary(t)).withCause(t).asRuntimeException();
    }

    /**
     * Back from a status received by a client: the exact {@link ErrorCode} when the server is a fabric service
     * (trailer present), otherwise the closest match of the gRPC code. The description becomes the message.
     */
    public static FabricException fromStatus(StatusRuntimeException e) {
        Status status = e.getStatus();
        Metadata trailers = e.getTrailers();
        ErrorCode code = null;
        String hint = null;
        if (trailers != null) {
            String name = trailers.get(ERROR_CODE_KEY);
            if (name != null) {
                try {
                    code = ErrorCode.valueOf(name);
                } catch (IllegalArgumentException unknown) {
                    code = null; // a newer server's code: fall back to the gRPC code
                }
            }
            hint = trailers.get(LEADER_HINT_KEY);
        }
        if (code == null) {
            code = ErrorCode.fromGrpc(status.getCode());
        }
        String message = status.getDescription() != null ? status.getDescription() : status.getCode().name();
        if (code == ErrorCode.NOT_LEADER) {
            return FabricException.notLeaderFromRemote(message, hint);
        }
        return FabricException.of(code, message);
    }

    private static String internalSummary(Throwable t) {
        String detail = t.getMessage() == null ? "" : ": " + t.getMessage();
        if (detail.length() > MAX_INTERNAL_DETAIL) {
            detail = detail.substring(0, MAX_INTERNAL_DETAIL) + "...";
        }
        return "internal error (" + t.getClass().getSimpleName() + detail + ")";
    }

    private static String asciiOnly(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
