package io.hvfabric.scheduler.vsi;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.FieldRules;
import io.hvfabric.common.validation.VsiSpecRules;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.network.Subnet;
import io.hvfabric.scheduler.placement.api.Capacity;
import io.hvfabric.scheduler.volume.VolumeSpecs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * Checks what needs no cluster state in a create request. {@code maxHostVcpus} is the largest host's vCPU count
     * (0: no hosts).
     */
    public static void validate(VsiSpec spec, int maxHostVcpus) {
        VsiSpecRules.validate(spec);
        if (!spec.getTenant().isEmpty()) {
            requireDnsLabel("tenant", spec.getTenant());
        }
        requestedNics(spec.getNicsList());
        VolumeSpecs.requestedDisks(spec.getName(), spec.getDisksList());
        if (maxHostVcpus > 0 && spec.getVcpus() > maxHostVcpus) {
            throw FabricException.invalidArgument("vcpus",
                    "must be at most %d, the largest host's vCPUs (got %d)", maxHostVcpus, spec.getVcpus());
        }
    }

    /**
     * What the fabric assigns a request leaves out (mac, vni); each vNIC names a network, at most one per network (a
     * second tap on one bridge gives the guest nothing but a routing puzzle); a requested ip is an IPv4 address.
     */
    private static void requestedNics(List<NicSpec> nics) {
        Map<String, Integer> byNetwork = new HashMap<>();
        for (int i = 0; i < nics.size(); i++) {
            NicSpec nic = nics.get(i);
            String at = "nics[" + i + "]";
            if (nic.getNetwork().isEmpty()) {
                throw FabricException.invalidArgument(at + ".network", "must name a network of the VSI's tenant");
            }
            Integer first = byNetwork.putIfAbsent(nic.getNetwork(), i);
            if (first != null) {
                throw FabricException.invalidArgument(at + ".network", "must differ from nics[%d].network: a VSI has "
                        + "at most one vNIC per network (got '%s' twice)", first, nic.getNetwork());
            }
            if (!nic.getMac().isEmpty()) {
                throw FabricException.invalidArgument(at + ".mac",
                        "is assigned by the fabric; leave it empty (got '%s')", nic.getMac());
            }
            if (nic.getVni() != 0) {
                throw FabricException.invalidArgument(at + ".vni", "is assigned by the fabric; leave it 0 (got %d)",
                        nic.getVni());
            }
            if (!nic.getIp().isEmpty()) {
                Subnet.requireAddress(at + ".ip", nic.getIp());
            }
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
