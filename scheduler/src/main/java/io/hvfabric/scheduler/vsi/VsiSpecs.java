package io.hvfabric.scheduler.vsi;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.placement.api.Capacity;
import java.util.regex.Pattern;

/** Validation and defaults for VSI specs, in one place; each error names the field and the rule. */
public final class VsiSpecs {
    public static final String DEFAULT_IMAGE = "default";
    public static final int MIN_MEMORY_MIB = 64;
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_KERNEL_ARGS = 1024;

    private VsiSpecs() {}

    public static VsiSpec withDefaults(VsiSpec spec) {
        VsiSpec.Builder b = spec.toBuilder();
        if (b.getImage().isEmpty()) {
            b.setImage(DEFAULT_IMAGE);
        }
        return b.build();
    }

    /** Checks what needs no cluster state. {@code maxHostVcpus} is the largest host's vCPU count (0: no hosts). */
    public static void validate(VsiSpec spec, int maxHostVcpus) {
        requireDnsLabel("name", spec.getName());
        if (spec.getVcpus() < 1) {
            throw FabricException.invalidArgument("vcpus", "must be at least 1 (got %d)", spec.getVcpus());
        }
        if (maxHostVcpus > 0 && spec.getVcpus() > maxHostVcpus) {
            throw FabricException.invalidArgument("vcpus",
                    "must be at most %d, the largest host's vCPUs (got %d)", maxHostVcpus, spec.getVcpus());
        }
        if (spec.getMemoryMib() < MIN_MEMORY_MIB) {
            throw FabricException.invalidArgument("memory_mib", "must be at least %d MiB (got %d)",
                    MIN_MEMORY_MIB, spec.getMemoryMib());
        }
        if (spec.getDiskGib() < 0) {
            throw FabricException.invalidArgument("disk_gib", "must not be negative (got %d)", spec.getDiskGib());
        }
        if (!spec.getAntiAffinityGroup().isEmpty()) {
            requireDnsLabel("anti_affinity_group", spec.getAntiAffinityGroup());
        }
        if (!spec.getHost().isEmpty()) {
            requireDnsLabel("host", spec.getHost());
        }
        if (spec.getKernelArgs().length() > MAX_KERNEL_ARGS) {
            throw FabricException.invalidArgument("kernel_args", "must be at most %d characters (got %d)",
                    MAX_KERNEL_ARGS, spec.getKernelArgs().length());
        }
        if (spec.getKernelArgs().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw FabricException.invalidArgument("kernel_args", "must not contain control characters");
        }
        if (spec.getMaxDowntimeMs() < 0 || spec.getMaxMigrationMs() < 0) {
            throw FabricException.invalidArgument("max_downtime_ms", "migration objectives must not be negative");
        }
        for (NicSpec nic : spec.getNicsList()) {
            if (nic.getMbps() < 0) {
                throw FabricException.invalidArgument("nics.mbps", "must not be negative (got %d)", nic.getMbps());
            }
        }
    }

    public static void requireDnsLabel(String field, String value) {
        if (value == null || !DNS_LABEL.matcher(value).matches()) {
            throw FabricException.invalidArgument(field,
                    "must be a DNS label: 1-63 lowercase letters, digits or hyphens, starting and ending with a"
                            + " letter or digit (got '%s')", value);
        }
    }

    public static Capacity demand(VsiSpec spec) {
        long nicMbps = spec.getNicsList().stream().mapToLong(NicSpec::getMbps).sum();
        return new Capacity(spec.getVcpus(), spec.getMemoryMib(), spec.getDiskGib(), nicMbps);
    }
}
