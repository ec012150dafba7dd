package io.hvfabric.agent.host;

import java.util.Objects;

/**
 * What booting a guest kernel under one accelerator showed.
 *
 * @param booted the kernel printed on its serial console within the bound
 * @param evidence the console line that proved it, or why there was none (timeout, QEMU's error)
 * @param millis from QEMU's start to the proof, or to giving up
 * @param cached the result was read from the boot-check cache, not measured now
 */
public record BootCheckResult(boolean booted, String evidence, long millis, boolean cached) {
    public BootCheckResult {
        Objects.requireNonNull(evidence, "evidence");
    }

    public BootCheckResult fromCache() {
        return new BootCheckResult(booted, evidence, millis, true);
    }

    /** One line for host show and the logs. */
    public String describe() {
        return (booted ? "booted: " : "did not boot: ") + evidence + " (" + millis + " ms"
                + (cached ? ", cached" : "") + ")";
    }
}
