package io.hvfabric.agent.driver;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A running VSI as the driver knows it.
 *
 * @param name VSI name
 * @param pid host process id of its hypervisor process (synthetic for the fake driver)
 * @param runDir per-VSI directory holding its sockets, pidfile and console log
 */
public record VmHandle(String name, long pid, Path runDir) {
    public VmHandle {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(runDir, "runDir");
    }
}
