package io.hvfabric.migration;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How to start one migration: QEMU capabilities (fixed once {@code migrate} runs, and multifd / postcopy-ram must be
 * the same on both sides) and the starting parameters (which the policy may change later).
 *
 * @param rung                       the rung the migration starts on: precopy or multifd
 * @param multifd                    multifd capability (both sides)
 * @param multifdChannels            multifd-channels (both sides; meaningful only with multifd)
 * @param autoConverge               auto-converge capability (source only)
 * @param postcopyRam                postcopy-ram capability (both sides); pre-copy still runs first
 * @param downtimeLimitMs            QEMU's downtime-limit: the objective's max downtime less the fabric's switchover
 *                                   reserve
 * @param maxBandwidthMibps          max-bandwidth in MiB/s, never 0 (QEMU's own default is a 128 MiB/s cap)
 * @param maxDurationMs              the time limit {@link MigrationPolicy#decide} aborts at
 * @param cpuThrottleInitialPercent  cpu-throttle-initial (with auto-converge)
 * @param cpuThrottleIncrementPercent cpu-throttle-increment at start (with auto-converge)
 * @param maxCpuThrottlePercent      max-cpu-throttle (with auto-converge)
 * @param memoryMib                  the guest's memory
 * @param expectedBandwidthMibps     throughput the plan assumed: min(link or assumed link, max-bandwidth)
 * @param prediction                 pre-copy cost predicted from the last known dirty rate, if one was known
 * @param reason                     why these rungs, for the migration record
 */
public record StartPlan(
        Rung rung,
        boolean multifd,
        int multifdChannels,
        boolean autoConverge,
        boolean postcopyRam,
        long downtimeLimitMs,
        long maxBandwidthMibps,
        long maxDurationMs,
        int cpuThrottleInitialPercent,
        int cpuThrottleIncrementPercent,
        int maxCpuThrottlePercent,
        long memoryMib,
        double expectedBandwidthMibps,
        Optional<MigrationCostModel.Prediction> prediction,
        String reason) {

    public StartPlan {
        if (multifd && postcopyRam) {
            throw new IllegalArgumentException("multifd and postcopyRam cannot both be armed (QEMU 7.2)");
        }
        if (maxBandwidthMibps <= 0) {
            throw new IllegalArgumentException("maxBandwidthMibps must be > 0 (0 lets QEMU cap at 128 MiB/s), got "
                    + maxBandwidthMibps);
        }
    }

    /** QEMU's max-bandwidth is in bytes per second. */
    public long maxBandwidthBytesPerSecond() {
        return Math.multiplyExact(maxBandwidthMibps, 1024L * 1024L);
    }

    /** migrate-set-capabilities, by QEMU's capability names, to set before {@code migrate} (source). */
    public Map<String, Boolean> qemuCapabilities() {
        Map<String, Boolean> caps = new LinkedHashMap<>();
        caps.put("multifd", multifd);
        caps.put("auto-converge", autoConverge);
        caps.put("postcopy-ram", postcopyRam);
        return Collections.unmodifiableMap(caps);
    }

    /** The capabilities the target's {@code -incoming} QEMU must also have (auto-converge is source-only). */
    public Map<String, Boolean> targetQemuCapabilities() {
        Map<String, Boolean> caps = new LinkedHashMap<>();
        caps.put("multifd", multifd);
        caps.put("postcopy-ram", postcopyRam);
        return Collections.unmodifiableMap(caps);
    }

    /** migrate-set-parameters, by QEMU's parameter names (max-bandwidth in bytes/s), to set before {@code migrate}. */
    public Map<String, Long> qemuParameters() {
        Map<String, Long> params = new LinkedHashMap<>();
        params.put("downtime-limit", downtimeLimitMs);
        params.put("max-bandwidth", maxBandwidthBytesPerSecond());
        if (multifd) {
            params.put("multifd-channels", (long) multifdChannels);
        }
        if (autoConverge) {
            params.put("cpu-throttle-initial", (long) cpuThrottleInitialPercent);
            params.put("cpu-throttle-increment", (long) cpuThrottleIncrementPercent);
            params.put("max-cpu-throttle", (long) maxCpuThrottlePercent);
        }
        return Collections.unmodifiableMap(params);
    }
}
