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
 * @param overlayMtu the largest guest MTU the host's overlay networks carry (its underlay MTU minus VXLAN's 50); 0
 *     when the host runs no overlay data plane, so it takes no VSI with vNICs
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
        Map<String, String> labels,
        int overlayMtu) {

    /** What VXLAN adds to a guest's frame on the underlay (outer Ethernet, IPv4, UDP and VXLAN headers). */
    public static final int VXLAN_OVERHEAD_BYTES = 50;

    public HostCandidate {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("HostCandidate.id must be non-blank");
        }
        requireNonNull(id, "state", state);
        requireNonNull(id, "capacity", capacity);
        requireNonNull(id, "allocated", allocated);
        antiAffinityGroups = antiAffinityGroups == null ? Set.of() : Set.copyOf(antiAffinityGroups);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        overlayMtu = Math.max(0, overlayMtu);
    }

    /** A host without an overlay data plane. */
    public HostCandidate(String id, HostState state, boolean schedulable, String accelerator, String cpuModel,
                         Capacity capacity, Capacity allocated, Set<String> antiAffinityGroups,
                         Map<String, String> labels) {
        this(id, state, schedulable, accelerator, cpuModel, capacity, allocated, antiAffinityGroups, labels, 0);
    }

    /** This host with {@code allocated} reserved and {@code groups} on it, all else as it is. */
    public HostCandidate withAllocated(Capacity allocated, Set<String> groups) {
        return new HostCandidate(id, state, schedulable, accelerator, cpuModel, capacity, allocated, groups, labels,
                overlayMtu);
    }

    /** The same host after a VSI with {@code demand} and {@code antiAffinityGroup} (nullable) was placed on it. */
    public HostCandidate withPlaced(Capacity demand, String antiAffinityGroup) {
        Set<String> groups = antiAffinityGroups;
        if (antiAffinityGroup != null && !groups.contains(antiAffinityGroup)) {
            var grown = new HashSet<>(groups);
            grown.add(antiAffinityGroup);
            groups = grown;
        }
        return withAllocated(allocated.plus(demand), groups);
    }

    private static void requireNonNull(String id, String field, Object value) {
        if (value == null) {
            throw new IllegalArgumentException("HostCandidate." + field + " must be set (host '" + id + "')");
        }
    }
}
