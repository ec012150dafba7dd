package io.hvfabric.agent.host;

import io.hvfabric.common.error.FabricException;
import java.util.Locale;

/** The agent's {@code --accel}: decide from evidence, or force one accelerator. */
public enum AccelMode {
    /** KVM only when a standard guest kernel boots under it here; otherwise TCG. */
    AUTO,
    /** KVM, and refuse to start when it cannot boot a standard guest. */
    KVM,
    /** TCG whatever KVM could do (slow, runs anywhere). */
    TCG;

    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AccelMode parse(String value) {
        for (AccelMode mode : values()) {
            if (mode.flagValue().equals(value)) {
                return mode;
            }
        }
        throw FabricException.invalidArgument("--accel", "must be auto, kvm or tcg (got '%s')", value);
    }
}
