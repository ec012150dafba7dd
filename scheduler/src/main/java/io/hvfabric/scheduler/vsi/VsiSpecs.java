package io.hvfabric.scheduler.vsi;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.FieldRules;
import io.hvfabric.common.validation.VsiSpecRules;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.placement.api.Capacity;

/**
 * Defaults for VSI specs, and their validation: the shared {@link VsiSpecRules} (the agent runs the same before it
 * launches) plus what only the scheduler knows, the largest host. Each error names the field and the rule.
 */
public final class VsiSpecs {
    public static final String DEFAULT_IMAGE = "default";

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
        VsiSpecRules.validate(spec);
        if (!spec.getTenant().isEmpty()) {
            requireDnsLabel("tenant", spec.getTenant());
        }
        if (maxHostVcpus > 0 && spec.getVcpus() > maxHostVcpus) {
            throw FabricException.invalidArgument("vcpus",
                    "must be at most %d, the largest host's vCPUs (got %d)", maxHostVcpus, spec.getVcpus());
        }
    }

    public static void requireDnsLabel(String field, String value) {
        FieldRules.dnsLabel(field, value);
    }

    public static Capacity demand(VsiSpec spec) {
        long nicMbps = spec.getNicsList().stream().mapToLong(NicSpec::getMbps).sum();
        return new Capacity(spec.getVcpus(), spec.getMemoryMib(), spec.getDiskGib(), nicMbps);
    }
}
