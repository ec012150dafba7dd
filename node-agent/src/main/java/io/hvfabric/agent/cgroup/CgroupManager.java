package io.hvfabric.agent.cgroup;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Puts each VSI's QEMU into its own cgroup under a common parent ("hvfabric"). Implementations
 * take the cgroup mount root as a path, so tests run them against a plain directory tree.
 */
public interface CgroupManager {
    CgroupVersion version();

    /** Creates the cgroup if missing and (re)applies the limits. Idempotent. */
    void create(String name, CgroupLimits limits) throws IOException;

    /** Moves a process (all its threads) into the cgroup. */
    void attach(String name, long pid) throws IOException;

    /** Processes currently in the cgroup; empty if it does not exist. */
    Set<Long> processes(String name) throws IOException;

    /** The limits in force, or empty if the cgroup does not exist. */
    Optional<CgroupLimits> readLimits(String name) throws IOException;

    /** Removes the cgroup; it must hold no process. Idempotent. */
    void remove(String name) throws IOException;
}
