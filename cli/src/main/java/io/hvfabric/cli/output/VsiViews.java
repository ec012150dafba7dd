package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiSpec;
import java.time.Instant;
import java.util.List;

/** Table renderings of VSIs. */
public final class VsiViews {
    private static final int MESSAGE_WIDTH = 60;

    private VsiViews() {}

    public static String list(List<Vsi> vsis) {
        Table table = new Table("NAME", "HOST", "STATE", "DESIRED", "VCPUS", "MEMORY", "IMAGE", "MESSAGE");
        for (Vsi vsi : vsis) {
            table.row(vsi.getName(), vsi.getHost().isEmpty() ? "-" : vsi.getHost(), state(vsi), vsi.getDesired(),
                    Units.vcpus(vsi.getVcpus()), Units.mib(vsi.getMemoryMib()), vsi.getImage(), shorten(vsi.getMessage()));
        }
        return table.render();
    }

    public static String detail(Vsi vsi, Instant now) {
        VsiSpec spec = vsi.getSpec();
        return new KeyValueBlock()
                .add("name", vsi.getName())
                .add("host", vsi.getHost().isEmpty() ? "(not placed)" : vsi.getHost())
                .add("state", state(vsi))
                .add("desired", vsi.getDesired())
                .add("vcpus", Units.vcpus(vsi.getVcpus()))
                .add("memory", Units.mib(vsi.getMemoryMib()))
                .add("disk", spec.getDiskGib() > 0 ? Units.gib(spec.getDiskGib()) : "")
                .add("image", vsi.getImage())
                .add("kernel args", spec.getKernelArgs())
                .add("anti-affinity", spec.getAntiAffinityGroup())
                .add("requested host", spec.getHost())
                .add("pid", vsi.getPid() > 0 ? vsi.getPid() : "")
                .add("restarts", vsi.getRestarts() > 0 ? vsi.getRestarts() : "")
                .add("created", Timestamps.withAge(vsi.getCreatedAt(), now))
                .add("state changed", Timestamps.withAge(vsi.getStateChangedAt(), now))
                .add("message", vsi.getMessage())
                .render();
    }

    static String state(Vsi vsi) {
        return vsi.getState() == Vsi.State.STATE_UNSPECIFIED ? "UNKNOWN" : vsi.getState().name();
    }

    private static String shorten(String message) {
        String line = message.replaceAll("\\s+", " ").trim();
        return line.length() <= MESSAGE_WIDTH ? line : line.substring(0, MESSAGE_WIDTH - 3) + "...";
    }
}
