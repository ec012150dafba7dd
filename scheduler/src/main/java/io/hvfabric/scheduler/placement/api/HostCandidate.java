package io.hvfabric.scheduler.placement.api;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A host as placement sees it: a snapshot, so one placement decision reads one consistent view.
 *
 * @param schedulable false when an operator or the scheduler marked the host unschedulable independently of state
 * @param accelerator the hypervisor accelerator the host runs guests with (e.g. "kvm", "tcg"); null if unknown
 * @param cpuModel the guest CPU model the host offers; null if unknown
 * @param allocated what VSIs placed on the host already reserve
 * @param antiAffinityGroups anti-affinity groups of the VSIs already on the host
 */
public record HostCandidate(
        String id,
        HostState state,
        boolean schedulable,
        String accelerator,
        String cpuModel,
        Capacity capacity,
        Capacity allocated,
        Set<String> antiAffinityGroups,
        Map<String, String> labels) {

    public HostCandidate {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("HostCandidate.id must be non-blank");
        }
        requireNonNull(id, "state", state);
        requireNonNull(id, "capacity", capacity);
        requireNonNull(id, "allocated", allocated);
        antiAffinityGroups = antiAffinityGroups == null ? Set.of() : Set.copyOf(antiAffinityGroups);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** The same host after a VSI with {@code demand} and {@code antiAffinityGroup} (nullable) was placed on it. */
    public HostCandidate withPlaced(Capacity demand, String antiAffinityGroup) {
        Set<String> groups = antiAffinityGroups;
        if (antiAffinityGroup != null && !groups.contains(antiAffinityGroup)) {
            var grown = new HashSet<>(groups);
            grown.add(antiAffinityGroup);
            groups = grown;
        }
        return new HostCandidate(
                id, state, schedulable, accelerator, cpuModel, capacity, allocated.plus(demand), groups, labels);
    }

    private static void requireNonNull(String id, String field, Object value) {
        if (value == null) {
            throw new IllegalArgumentException("HostCandidate." + field + " must be set (host '" + id + "')");
        }
    }
}
