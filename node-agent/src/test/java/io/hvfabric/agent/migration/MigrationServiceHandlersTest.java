package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.agent.driver.VirtDriverException;
import io.hvfabric.agent.link.TermGuard;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.MigrationControlRequest;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MigrationServiceHandlersTest {
    private static MigrationControlRequest control(long term) {
        return MigrationControlRequest.newBuilder().setMigrationId("m1").setTerm(term).setName("vm1").build();
    }

    @Test
    void callsFromAnOlderTermAreRefusedBeforeAnythingHappens() {
        TermGuard terms = new TermGuard();
        terms.admit(7);
        try (MigrationServiceHandlers h = new MigrationServiceHandlers(Optional.empty(), Optional.empty(), terms)) {
            assertThatThrownBy(() -> h.cancelMigration(control(6)))
                    .isInstanceOfSatisfying(FabricException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
                        assertThat(e.getMessage()).contains("term 6").contains("term 7");
                    });
        }
    }

    @Test
    void withoutTheQemuDriverMigrationIsAFailedPrecondition() {
        try (MigrationServiceHandlers h = new MigrationServiceHandlers(Optional.empty(), Optional.empty(), new TermGuard())) {
            assertThatThrownBy(() -> h.resumeTarget(control(1)))
                    .isInstanceOfSatisfying(FabricException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.FAILED_PRECONDITION);
                        assertThat(e.getMessage()).contains("qemu driver");
                    });
        }
    }

    @Test
    void roleErrorsMapToFabricCodes() {
        assertThat(((FabricException) MigrationServiceHandlers.translate(new IllegalArgumentException("uri must be ..."))).code())
                .isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(((FabricException) MigrationServiceHandlers.translate(new IllegalStateException("busy"))).code())
                .isEqualTo(ErrorCode.FAILED_PRECONDITION);
        assertThat(((FabricException) MigrationServiceHandlers.translate(
                new VirtDriverException(VirtDriverException.Kind.NOT_FOUND, "vm1", "no QEMU is running"))).code())
                .isEqualTo(ErrorCode.NOT_FOUND);
    }
}
