package io.hvfabric.cli.command;

import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.options.ByteSize;
import io.hvfabric.cli.output.VolumeViews;
import io.hvfabric.proto.v1.CreateVolumeRequest;
import io.hvfabric.proto.v1.DeleteVolumeResponse;
import io.hvfabric.proto.v1.ListVolumesRequest;
import io.hvfabric.proto.v1.ResizeVolumeRequest;
import io.hvfabric.proto.v1.Volume;
import io.hvfabric.proto.v1.VolumeRef;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Volumes: block devices of one tenant that attach to VSIs ({@code vsi create --disk NAME}). Operators name any tenant
 * with --tenant (left out: the operators' own, "system"); a tenant's certificate always means its own tenant.
 */
@Command(name = "volume", description = "Manage volumes: block devices that attach to VSIs (vsi create --disk NAME).",
        subcommands = {
            VolumeCommands.CreateVolume.class,
            VolumeCommands.ListVolumes.class,
            VolumeCommands.ShowVolume.class,
            VolumeCommands.DeleteVolume.class,
            VolumeCommands.ResizeVolume.class
        })
final class VolumeCommands {
    @Command(name = "create", description = "Create a volume. A local one is a qcow2 file on the host of the VSI it "
            + "first attaches to, and stays there (its space reserved) until it is deleted.")
    static final class CreateVolume extends TenantObjectCommand {
        @Option(names = "--size", required = true, paramLabel = "SIZE", description = "64M, 10G, 1T (powers of 1024).")
        String size;

        @Option(names = "--kind", paramLabel = "KIND", defaultValue = "local",
                description = "local (a file on one host) or network (a storage server; none served yet).")
        String kind;

        @Option(names = "--shareable", description = "May attach to several VSIs at once (network volumes only).")
        boolean shareable;

        private long sizeBytes;
        private Volume.Kind volumeKind;

        @Override
        void validate() {
            requireName();
            sizeBytes = sizeOf("--size", size);
            volumeKind = switch (kind.toLowerCase(Locale.ROOT)) {
                case "local" -> Volume.Kind.LOCAL;
                case "network" -> Volume.Kind.NETWORK;
                default -> throw CliException.usage("--kind: must be local or network, got '" + kind + "'");
            };
        }

        @Override
        int execute(SchedulerClient client, Printer printer) {
            CreateVolumeRequest request = CreateVolumeRequest.newBuilder().setVolume(Volume.newBuilder()
                    .setName(name).setTenant(tenant).setKind(volumeKind).setSizeBytes(sizeBytes)
                    .setShareable(shareable)).build();
            Volume created = client.call(stub -> stub.createVolume(request));
            printer.object(created, () -> VolumeViews.detail(created, context().clock().instant()));
            return 0;
        }
    }

    @Command(name = "list", description = "List volumes (operators: every tenant's unless --tenant narrows it).")
    static final class ListVolumes extends ClientCommand {
        @Option(names = "--tenant", paramLabel = "TENANT", defaultValue = "", description = "Only this tenant's.")
        String tenant;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            List<Volume> volumes = client.call(stub -> stub.listVolumes(
                    ListVolumesRequest.newBuilder().setTenant(tenant).build())).getVolumesList();
            printer.array(volumes, () -> VolumeViews.list(volumes));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one volume: size, host, the VSIs it is attached to.")
    static final class ShowVolume extends TenantObjectCommand {
        @Override
        int execute(SchedulerClient client, Printer printer) {
            Volume volume = client.call(stub -> stub.getVolume(ref(name, tenant)));
            printer.object(volume, () -> VolumeViews.detail(volume, context().clock().instant()));
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a volume and its data; refused while a VSI has it attached.")
    static final class DeleteVolume extends TenantObjectCommand {
        @Override
        int execute(SchedulerClient client, Printer printer) {
            DeleteVolumeResponse deleted = client.call(stub -> stub.deleteVolume(ref(name, tenant)));
            printer.object(deleted, () -> deletedLine("volume", deleted.getName(), deleted.getTenant()));
            return 0;
        }
    }

    @Command(name = "resize", description = "Grow a volume (never shrink); only while no VSI has it attached. The "
            + "guest sees the new size when a VSI next starts with it.")
    static final class ResizeVolume extends TenantObjectCommand {
        @Option(names = "--size", required = true, paramLabel = "SIZE", description = "The new size: 64M, 10G, 1T.")
        String size;

        private long sizeBytes;

        @Override
        void validate() {
            sizeBytes = sizeOf("--size", size);
        }

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Volume grown = client.call(stub -> stub.resizeVolume(ResizeVolumeRequest.newBuilder()
                    .setVolume(ref(name, tenant)).setSizeBytes(sizeBytes).build()));
            printer.object(grown, () -> VolumeViews.detail(grown, context().clock().instant()));
            return 0;
        }
    }

    private static long sizeOf(String option, String text) {
        return ByteSize.parse(text).filter(b -> b > 0).orElseThrow(() -> CliException.usage(
                option + ": must be a size like 64M, 10G or 1T, got '" + text + "'"));
    }

    private static VolumeRef ref(String name, String tenant) {
        return VolumeRef.newBuilder().setName(name).setTenant(tenant).build();
    }
}
