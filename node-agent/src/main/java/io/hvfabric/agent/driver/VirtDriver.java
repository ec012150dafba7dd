package io.hvfabric.agent.driver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * VSI lifecycle on one node. Implementations: {@code qemu.QemuDriver} (one QEMU process per VSI) and
 * {@code fake.FakeDriver} (in memory, for scheduler tests and the scale simulator), chosen by
 * configuration. Operations on one name are serialized by the caller's reconcile loop; stop and
 * destroy are idempotent so a repeated reconcile is harmless. Failures throw {@link
 * VirtDriverException}.
 */
public interface VirtDriver {
    /** Launches a VSI and returns once its guest runs (or, with an incoming URI, waits for migration). */
    VmHandle start(VmLaunchSpec spec);

    /**
     * Asks the guest to power off (ACPI), and after {@code grace} ends the hypervisor process. Keeps
     * the console log. Does nothing if the VSI is not running.
     */
    void stop(String name, Duration grace);

    /** Kills the VSI at once if running and removes everything the driver kept for it. */
    void destroy(String name);

    /** Re-attaches to a VSI that survived an agent restart; empty if none of that name runs. */
    Optional<VmHandle> adopt(String name);

    /** VSIs whose hypervisor process is alive on this node, whether adopted yet or not. */
    List<VmHandle> listRunning();

    /**
     * Names of every VSI the driver keeps anything for on this node (a run directory, a console log), running or
     * not; what is no longer assigned here is destroyed from this list, so nothing of a VSI (its uid, its files)
     * outlives it.
     */
    List<String> listResident();

    /**
     * Lets a paused guest run again: a migration target after its memory arrived, or a source whose
     * migration completed but was rolled back (QEMU's postmigrate). Does nothing if it already runs.
     * Refused (OPERATION_FAILED) while the guest still waits for an incoming migration.
     */
    void resume(String name);

    /** {@link VmStatus#STOPPED} when no hypervisor process of that name is alive. */
    VmStatus status(String name);

    /** Where the VSI's serial console output goes (may not exist yet). */
    Path consoleLog(String name);

    /** The VSI's run directory (may not exist yet): the console log's, its sockets' and its key copies' home. */
    default Path runDir(String name) {
        return consoleLog(name).getParent();
    }

    /**
     * The unix socket of the running VSI's guest agent port (virtio-serial {@code org.qemu.guest_agent.0}); empty
     * if none runs or its hypervisor has no such channel (the fake driver, a QEMU started by an older agent).
     */
    Optional<Path> guestAgentSocket(String name);
}
