package io.hvfabric.scheduler.placement.api;

import java.util.Set;

/**
 * What one VSI needs from a host.
 *
 * @param antiAffinityGroup nullable; no two VSIs of the same group may share a host
 * @param requiredHost nullable; pins the VSI to this host (operator choice or a migration target)
 * @param requiredAccelerator nullable; e.g. the migration source's accelerator, since QEMU cannot migrate between
 *     KVM and TCG
 * @param requiredCpuModel nullable; the guest CPU model must match for live migration
 * @param excludedHosts hosts that must not be chosen, e.g. the migration source or the host being drained
 * @param networkMtu the largest MTU of the networks the VSI has vNICs on; 0 without vNICs (any host will do)
 */
public record PlacementRequest(
        String vsiName,
        Capacity demand,
        String antiAffinityGroup,
        String requiredHost,
        String requiredAccelerator,
        String requiredCpuModel,
        Set<String> excludedHosts,
        int networkMtu) {

    public PlacementRequest {
        if (vsiName == null || vsiName.isBlank()) {
            throw new IllegalArgumentException("PlacementRequest.vsiName must be non-blank");
        }
        if (demand == null) {
            throw new IllegalArgumentException("PlacementRequest.demand must be set (vsi '" + vsiName + "')");
        }
        requireNullOrNonBlank(vsiName, "antiAffinityGroup", antiAffinityGroup);
        requireNullOrNonBlank(vsiName, "requiredHost", requiredHost);
        requireNullOrNonBlank(vsiName, "requiredAccelerator", requiredAccelerator);
        requireNullOrNonBlank(vsiName, "requiredCpuModel", requiredCpuModel);
        excludedHosts = excludedHosts == null ? Set.of() : Set.copyOf(excludedHosts);
        if (networkMtu < 0) {
            throw new IllegalArgumentException("PlacementRequest.networkMtu must be >= 0 (vsi '" + vsiName + "')");
        }
    }

    /** A request for a VSI without vNICs. */
    public PlacementRequest(String vsiName, Capacity demand, String antiAffinityGroup, String requiredHost,
                            String requiredAccelerator, String requiredCpuModel, Set<String> excludedHosts) {
        this(vsiName, demand, antiAffinityGroup, requiredHost, requiredAccelerator, requiredCpuModel, excludedHosts, 0);
    }

    /** A request with only a name and a demand: no affinity, no pinning, no exclusions. */
    public static PlacementRequest of(String vsiName, Capacity demand) {
        return new PlacementRequest(vsiName, demand, null, null, null, null, Set.of());
    }

    private static void requireNullOrNonBlank(String vsiName, String field, String value) {
        if (value != null && value.isBlank()) {
            throw new IllegalArgumentException(
                    "PlacementRequest." + field + " must be null or non-blank (vsi '" + vsiName + "')");
        }
    }
}
