package io.hvfabric.agent.driver;

/** What a VSI's hypervisor reports, reduced to the states the agent acts on. */
public enum VmStatus {
    /** Guest executing. */
    RUNNING,
    /** Process alive, guest not executing (paused, prelaunch, suspended, io-error, ...). */
    PAUSED,
    /** Waiting for an incoming live migration. */
    INCOMING,
    /** Source side after a completed outgoing migration: the guest now runs elsewhere. */
    MIGRATED,
    /** Guest shut down, process not yet gone. */
    SHUTDOWN,
    /** Guest panicked or the emulator hit an internal error. */
    CRASHED,
    /** No hypervisor process. */
    STOPPED;

    /** Maps QEMU's {@code query-status} "status" (RunState in qapi/run-state.json). */
    public static VmStatus fromQemu(String runState) {
        return switch (runState) {
            case "running" -> RUNNING;
            case "inmigrate" -> INCOMING;
            case "postmigrate" -> MIGRATED;
            case "shutdown" -> SHUTDOWN;
            case "internal-error", "guest-panicked" -> CRASHED;
            // debug, finish-migrate, io-error, paused, prelaunch, restore-vm, save-vm, suspended,
            // watchdog, colo: alive but not executing.
            default -> PAUSED;
        };
    }

    public boolean isAlive() {
        return this != STOPPED;
    }
}
