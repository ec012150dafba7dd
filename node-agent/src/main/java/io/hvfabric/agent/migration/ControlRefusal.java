package io.hvfabric.agent.migration;

import io.hvfabric.agent.driver.VirtDriver;
import io.hvfabric.agent.driver.VmStatus;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;

/**
 * The answer to CancelMigration, ResumeTarget or AbortMigration for a migration this agent does not take part in for
 * that VSI: nothing was done. A call must name the migration and the VSI, so a stale or mistaken one cannot destroy,
 * resume or cancel a guest of another migration (or of none).
 */
final class ControlRefusal {
    private ControlRefusal() {}

    /** NOT_FOUND if no QEMU of that name runs here, FAILED_PRECONDITION otherwise. */
    static FabricException of(VirtDriver driver, MigrationSessions sessions, String rpc, String migrationId,
                              String name) {
        if (driver.status(name) == VmStatus.STOPPED) {
            return FabricException.of(ErrorCode.NOT_FOUND, rpc + " refused: VSI " + name + " does not run on this "
                    + "host, so it has no part in migration " + migrationId + " here; nothing done");
        }
        String current = sessions.find(MigrationSessions.Role.SOURCE, name)
                .or(() -> sessions.find(MigrationSessions.Role.TARGET, name))
                .map(s -> " (it is in " + s.role().name().toLowerCase(java.util.Locale.ROOT) + " migration "
                        + s.migrationId() + ")")
                .orElse("");
        return FabricException.failedPrecondition("%s refused: VSI %s on this host is not in migration %s%s; "
                + "nothing done", rpc, name, migrationId, current);
    }
}
