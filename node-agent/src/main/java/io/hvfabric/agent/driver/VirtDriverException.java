package io.hvfabric.agent.driver;

/** A driver operation failed; {@link #kind()} says how, for mapping to the fabric's error codes. */
public final class VirtDriverException extends RuntimeException {
    public enum Kind {
        /** A VSI of that name is already running on this node. */
        ALREADY_RUNNING,
        /** No VSI of that name is running on this node. */
        NOT_FOUND,
        /** The hypervisor process could not be started or did not come up. */
        LAUNCH_FAILED,
        /** Talking to a running hypervisor (QMP, signals, cgroups) failed. */
        OPERATION_FAILED
    }

    private final Kind kind;
    private final String vmName;

    public VirtDriverException(Kind kind, String vmName, String message) {
        this(kind, vmName, message, null);
    }

    public VirtDriverException(Kind kind, String vmName, String message, Throwable cause) {
        super("VSI " + vmName + ": " + message, cause);
        this.kind = kind;
        this.vmName = vmName;
    }

    public Kind kind() {
        return kind;
    }

    public String vmName() {
        return vmName;
    }
}
