package io.hvfabric.agent.cgroup;

import java.util.Optional;
import java.util.Set;

/** For hosts without usable cpu+memory cgroups: VSIs run unconfined, and say so via {@link #version()}. */
public final class NoCgroupManager implements CgroupManager {
    @Override
    public CgroupVersion version() {
        return CgroupVersion.NONE;
    }

    @Override
    public void create(String name, CgroupLimits limits) {}

    @Override
    public void attach(String name, long pid) {}

    @Override
    public Set<Long> processes(String name) {
        return Set.of();
    }

    @Override
    public Optional<CgroupLimits> readLimits(String name) {
        return Optional.empty();
    }

    @Override
    public void remove(String name) {}
}
