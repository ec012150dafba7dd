package io.hvfabric.cli.options;

import io.hvfabric.cli.CliException;
import io.hvfabric.proto.v1.DiskSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One {@code --disk VOLUME[,bus=virtio][,readonly]} or {@code --disk new:SIZE} of {@code vsi create}: a volume of the
 * VSI's tenant, or a new local scratch volume created with the VSI (named {@code <vsi>-disk<N>}, deleted with it).
 * Only the syntax is checked here, each mistake named (exit 2, nothing sent); the scheduler checks the rest.
 */
public final class DiskOption {
    public static final String SYNTAX = "VOLUME[,bus=virtio][,readonly] | new:SIZE";
    private static final String OPTION = "--disk";
    private static final String NEW = "new:";

    private DiskOption() {}

    public static List<DiskSpec> parseAll(List<String> values) {
        return values.stream().map(DiskOption::parse).toList();
    }

    public static DiskSpec parse(String value) {
        if (value.isBlank()) {
            throw usage("must not be empty; expected " + SYNTAX);
        }
        String[] items = value.split(",", -1);
        DiskSpec.Builder disk = DiskSpec.newBuilder();
        String head = items[0].strip();
        if (head.startsWith(NEW)) {
            String size = head.substring(NEW.length());
            disk.setNewSizeBytes(ByteSize.parse(size).filter(b -> b > 0).orElseThrow(() -> usage(
                    "new:SIZE needs a size like 64M or 10G, got '" + size + "'")));
        } else if (head.isEmpty() || head.contains("=")) {
            throw usage("must start with a volume name or new:SIZE, got '" + head + "'; expected " + SYNTAX);
        } else {
            disk.setVolume(head);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < items.length; i++) {
            String item = items[i].strip();
            if (!seen.add(item.contains("=") ? item.substring(0, item.indexOf('=')) : item)) {
                throw usage("'" + item + "' given twice");
            }
            if (item.equals("readonly")) {
                disk.setReadonly(true);
            } else if (item.startsWith("bus=")) {
                disk.setBus(item.substring("bus=".length()));
            } else {
                throw usage("unknown item '" + item + "'; expected bus=virtio or readonly");
            }
        }
        return disk.build();
    }

    private static CliException usage(String message) {
        return CliException.usage(OPTION + ": " + message);
    }
}
