package io.hvfabric.common.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class FabricExceptionTest {
    @Test
    void invalidArgumentNamesTheFieldAndTheRule() {
        FabricException e = FabricException.invalidArgument("vcpus", "must be at least %d (got %d)", 1, 0);
        assertThat(e.getMessage()).isEqualTo("field 'vcpus': must be at least 1 (got 0)");
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(e.field()).contains("vcpus");
    }

    @Test
    void templatesWithoutArgumentsAreTakenLiterally() {
        assertThat(FabricException.failedPrecondition("disk 100% full").getMessage()).isEqualTo("disk 100% full");
        assertThat(FabricException.resourceExhausted("no host has %d MiB free", 4096).getMessage())
                .isEqualTo("no host has 4096 MiB free");
    }

    @Test
    void notFoundAndAlreadyExistsNameKindAndId() {
        assertThat(FabricException.notFound("host", "h9").getMessage()).isEqualTo("host 'h9' not found");
        assertThat(FabricException.alreadyExists("vsi", "web-1").getMessage()).isEqualTo("vsi 'web-1' already exists");
        assertThat(FabricException.notFound("host", "h9").code()).isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void notLeaderCarriesTheHint() {
        assertThat(FabricException.notLeader("s2").getMessage()).isEqualTo("not the leader; leader is s2");
        assertThat(FabricException.notLeader("s2").leaderHint()).contains("s2");
        assertThat(FabricException.notLeader(null).getMessage()).isEqualTo("not the leader; leader unknown");
        assertThat(FabricException.notLeader("").leaderHint()).isEmpty();
        // A term that ended names no leader: its number is the reason, not a hint.
        FabricException ended = FabricException.termEnded(7);
        assertThat(ended.code()).isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(ended.leaderHint()).isEmpty();
        assertThat(ended.getMessage()).isEqualTo("not the leader: term 7 is over; leader unknown");
    }

    @Test
    void everyCodeMapsToAGrpcCodeAndBack() {
        assertThat(ErrorCode.NOT_LEADER.grpcCode()).isEqualTo(Status.Code.UNAVAILABLE);
        for (ErrorCode code : ErrorCode.values()) {
            ErrorCode back = ErrorCode.fromGrpc(code.grpcCode());
            // NOT_LEADER shares UNAVAILABLE; only the trailer tells them apart.
            assertThat(back).isEqualTo(code == ErrorCode.NOT_LEADER ? ErrorCode.UNAVAILABLE : code);
        }
    }
}
