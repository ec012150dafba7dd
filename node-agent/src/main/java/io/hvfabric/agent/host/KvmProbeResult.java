package io.hvfabric.agent.host;

import java.util.Objects;

/**
 * What the KVM probe found.
 *
 * @param devicePresent /dev/kvm exists and opened
 * @param apiVersion KVM_GET_API_VERSION, 0 when not read
 * @param maxVcpus KVM_CAP_MAX_VCPUS (or KVM_CAP_NR_VCPUS), 0 when not read
 * @param usable a standard 64-bit guest ran to its expected exit
 * @param detail why the probe said yes or no
 */
public record KvmProbeResult(boolean devicePresent, int apiVersion, int maxVcpus, boolean usable, String detail) {
    public KvmProbeResult {
        Objects.requireNonNull(detail, "detail");
        if (usable && !devicePresent) {
            throw new IllegalArgumentException("usable requires devicePresent");
        }
    }
}
