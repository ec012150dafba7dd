package io.hvfabric.common.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {
    @Test
    void fabricErrorBecomesItsStatusWithTrailer() {
        StatusRuntimeException sre = GrpcErrors.toStatus(FabricException.notFound("host", "h9"));
        assertThat(sre.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(sre.getStatus().getDescription()).isEqualTo("host 'h9' not found");
        assertThat(sre.getTrailers().get(GrpcErrors.ERROR_CODE_KEY)).isEqualTo("NOT_FOUND");
    }

    @Test
    void notLeaderSurvivesTheRoundTripWithItsHint() {
        StatusRuntimeException sre = GrpcErrors.toStatus(FabricException.notLeader("s3"));
        assertThat(sre.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);

        FabricException back = GrpcErrors.fromStatus(sre);
        assertThat(back.code()).isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(back.leaderHint()).contains("s3");
        assertThat(back.getMessage()).isEqualTo("not the leader; leader is s3");
    }

    @Test
    void statusRuntimeExceptionPassesThrough() {
        StatusRuntimeException original = Status.DEADLINE_EXCEEDED.withDescription("slow").asRuntimeException();
        assertThat(GrpcErrors.toStatus(original)).isSameAs(original);
    }

    @Test
    void unexpectedErrorBecomesShortInternal() {
        StatusRuntimeException sre = GrpcErrors.toStatus(new IllegalStateException("x".repeat(500)));
        assertThat(sre.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(sre.getStatus().getDescription())
                .startsWith("internal error (IllegalStateException: xxx")
                .hasSizeLessThan(260);
    }

    @Test
    void foreignStatusIsMappedByCode() {
        FabricException e = GrpcErrors.fromStatus(Status.ALREADY_EXISTS.withDescription("dup").asRuntimeException());
        assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
        assertThat(e.getMessage()).isEqualTo("dup");
        assertThat(GrpcErrors.fromStatus(Status.UNAVAILABLE.asRuntimeException()).getMessage()).isEqualTo("UNAVAILABLE");
    }
}
