package io.hvfabric.common.error;

import io.grpc.Status;

/**
 * The fabric's error classes. Each maps to exactly one gRPC status code at the edge; NOT_LEADER travels as
 * UNAVAILABLE (so generic gRPC clients retry it) and is told apart by the {@link GrpcErrors#ERROR_CODE_KEY} trailer.
 */
public enum ErrorCode {
    INVALID_ARGUMENT(Status.Code.INVALID_ARGUMENT),
    NOT_FOUND(Status.Code.NOT_FOUND),
    ALREADY_EXISTS(Status.Code.ALREADY_EXISTS),
    FAILED_PRECONDITION(Status.Code.FAILED_PRECONDITION),
    RESOURCE_EXHAUSTED(Status.Code.RESOURCE_EXHAUSTED),
    PERMISSION_DENIED(Status.Code.PERMISSION_DENIED),
    /** The caller's credentials are no good any more (a revoked certificate), whatever it asks. */
    UNAUTHENTICATED(Status.Code.UNAUTHENTICATED),
    NOT_LEADER(Status.Code.UNAVAILABLE),
    UNAVAILABLE(Status.Code.UNAVAILABLE),
    INTERNAL(Status.Code.INTERNAL);

    private final Status.Code grpcCode;

    ErrorCode(Status.Code grpcCode) {
        this.grpcCode = grpcCode;
    }

    public Status.Code grpcCode() {
        return grpcCode;
    }

    /** Best match for a status that carries no fabric trailer; unknown codes become INTERNAL. */
    public static ErrorCode fromGrpc(Status.Code code) {
        switch (code) {
            case INVALID_ARGUMENT:
            case OUT_OF_RANGE:
                return INVALID_ARGUMENT;
            case NOT_FOUND:
                return NOT_FOUND;
            case ALREADY_EXISTS:
                return ALREADY_EXISTS;
            case FAILED_PRECONDITION:
            case ABORTED:
                return FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED:
                return RESOURCE_EXHAUSTED;
            case PERMISSION_DENIED:
                return PERMISSION_DENIED;
            case UNAUTHENTICATED:
                return UNAUTHENTICATED;
            case UNAVAILABLE:
            case DEADLINE_EXCEEDED:
            case CANCELLED:
                return UNAVAILABLE;
            default:
                return INTERNAL;
        }
    }
}
