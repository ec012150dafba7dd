package io.hvfabric.migration;

import java.util.Arrays;

/** QEMU's {@code MigrationStatus} as reported by {@code query-migrate} (and copied into MigrationProgress.status). */
public enum QemuMigrationStatus {
    NONE("none"),
    SETUP("setup"),
    ACTIVE("active"),
    PRE_SWITCHOVER("pre-switchover"),
    DEVICE("device"),
    POSTCOPY_ACTIVE("postcopy-active"),
    POSTCOPY_PAUSED("postcopy-paused"),
    POSTCOPY_RECOVER("postcopy-recover"),
    WAIT_UNPLUG("wait-unplug"),
    CANCELLING("cancelling"),
    COMPLETED("completed"),
    FAILED("failed"),
    CANCELLED("cancelled"),
    /** Anything this build does not know (QEMU adds states over releases). */
    UNKNOWN("unknown");

    private final String wireName;

    QemuMigrationStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static QemuMigrationStatus of(String status) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(status)).findFirst().orElse(UNKNOWN);
    }

    /** The migration has ended on the source: completed, failed or cancelled. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** The guest already runs on the target and pulls its missing pages: there is no way back to the source. */
    public boolean isPostcopy() {
        return this == POSTCOPY_ACTIVE || this == POSTCOPY_PAUSED || this == POSTCOPY_RECOVER;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
