package io.hvfabric.cli.command;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.output.VsiViews;
import io.hvfabric.proto.v1.ConsoleRequest;
import io.hvfabric.proto.v1.CreateVsiRequest;
import io.hvfabric.proto.v1.DeleteVsiResponse;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.ListImagesRequest;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.ListVsisResponse;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiActionRequest;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.cli.options.DurationConverter;
import io.hvfabric.cli.options.MemorySizeConverter;
import io.hvfabric.cli.options.DiskOption;
import io.hvfabric.cli.options.NicOption;
import io.hvfabric.proto.v1.DiskSpec;
import io.hvfabric.proto.v1.NicSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "vsi", description = "Manage virtual server instances.",
        subcommands = {
            VsiCommands.CreateVsi.class,
            VsiCommands.ListVsis.class,
            VsiCommands.ShowVsi.class,
            VsiCommands.StartVsi.class,
            VsiCommands.StopVsi.class,
            VsiCommands.DeleteVsi.class,
            VsiCommands.Console.class,
            VsiExec.class,
            MigrationCommands.Migrate.class
        })
final class VsiCommands {

    @Command(name = "create", description = "Create a VSI; with --wait, follow it until it runs.")
    static final class CreateVsi extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--vcpus", required = true, paramLabel = "N")
        int vcpus;

        @Option(names = "--memory", required = true, paramLabel = "MIB", converter = MemorySizeConverter.class,
                description = "Memory in MiB (512, 512MiB, 2GiB).")
        long memoryMib;

        @Option(names = "--image", defaultValue = "default", paramLabel = "NAME", description = "Boot image (default: ${DEFAULT-VALUE}).")
        String image;

        @Option(names = "--kernel-args", paramLabel = "ARGS", defaultValue = "", description = "Appended to the image's kernel command line.")
        String kernelArgs;

        @Option(names = "--host", paramLabel = "ID", defaultValue = "", description = "Place on this host instead of letting the scheduler choose.")
        String host;

        @Option(names = "--anti-affinity", paramLabel = "GROUP", defaultValue = "", description = "Keep apart from other VSIs of this group.")
        String antiAffinity;

        @Option(names = "--disk-gib", paramLabel = "GIB", defaultValue = "0", description = "Disk space in GiB "
                + "counted in placement only (no block device; see --disk).")
        long diskGib;

        @Option(names = "--disk", paramLabel = DiskOption.SYNTAX, description = "A block device, repeatable (vda, vdb, "
                + "... in order): a volume of the VSI's tenant (readonly: the guest cannot write it), or new:SIZE "
                + "(64M, 10G) for a local scratch volume created with the VSI as <vsi>-disk<N> and deleted with it.")
        List<String> diskArgs = new ArrayList<>();

        private List<DiskSpec> disks = List.of();

        @Option(names = "--tenant", paramLabel = "TENANT", defaultValue = "", description = "The tenant owning the VSI "
                + "(operators; left out: the operators' own). A tenant's certificate always creates in its tenant.")
        String tenant;

        @Option(names = "--nic", paramLabel = NicOption.SYNTAX, description = "A vNIC on a network of the VSI's "
                + "tenant, repeatable (one per NIC, in order): ip asks for that address (else the lowest free one), mbps "
                + "a guaranteed bandwidth in Mbit/s. The fabric assigns its MAC and the network's VNI; the guest gets its "
                + "address by DHCP.")
        List<String> nicArgs = new ArrayList<>();

        private List<NicSpec> nics = List.of();

        @Option(names = "--wait", description = "Follow the VSI until RUNNING and, if its image has a guest agent, until "
                + "the agent is UP (exit 0); FAILED or no guest agent: exit 1. See --wait-timeout.")
        boolean await;

        @Option(names = "--wait-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Bound on the whole --wait (default: --timeout if given, else 120s).")
        Duration waitTimeout;

        @Override
        void validate() {
            if (name.isBlank()) {
                throw CliException.usage("NAME: must not be empty");
            }
            if (vcpus < 1) {
                throw CliException.usage("--vcpus: must be at least 1, got " + vcpus);
            }
            if (memoryMib < 1) {
                throw CliException.usage("--memory: must be at least 1 MiB, got " + memoryMib);
            }
            if (diskGib < 0) {
                throw CliException.usage("--disk-gib: must not be negative, got " + diskGib);
            }
            nics = NicOption.parseAll(nicArgs);
            disks = DiskOption.parseAll(diskArgs);
        }

        @Override
        int execute(SchedulerClient client, Printer printer) {
            VsiSpec spec = VsiSpec.newBuilder()
                    .setName(name)
                    .setVcpus(vcpus)
                    .setMemoryMib(memoryMib)
                    .setImage(image)
                    .setKernelArgs(kernelArgs)
                    .setHost(host)
                    .setAntiAffinityGroup(antiAffinity)
                    .setDiskGib(diskGib)
                    .setTenant(tenant)
                    .addAllNics(nics)
                    .addAllDisks(disks)
                    .build();
            Vsi vsi = client.call(stub -> stub.createVsi(CreateVsiRequest.newBuilder().setSpec(spec).build()));
            if (await) {
                Duration bound = waitTimeout != null ? waitTimeout : root().timeoutOr(VsiWaiter.DEFAULT_TIMEOUT);
                vsi = new VsiWaiter(client, context().err(), context().clock())
                        .awaitRunning(vsi, bound, hasGuestAgent(client, spec.getImage()));
            }
            Vsi result = vsi;
            printer.object(result, () -> VsiViews.detail(result, context().clock().instant()));
            return 0;
        }
    }

    /** Whether VSIs of this image report a guest agent; an image the scheduler does not list has none. */
    static boolean hasGuestAgent(SchedulerClient client, String image) {
        return client.call(stub -> stub.listImages(ListImagesRequest.getDefaultInstance())).getImagesList().stream()
                .anyMatch(i -> i.getName().equals(image) && i.getGuestAgent());
    }

    @Command(name = "list", description = "List VSIs (a tenant's certificate: its tenant's only).")
    static final class ListVsis extends ClientCommand {
        @Option(names = "--host", paramLabel = "ID", defaultValue = "", description = "Only the VSIs on this host.")
        String host;

        /** A TENANT column unless the scheduler answered for one tenant (then every row is that tenant's). */
        @Override
        int execute(SchedulerClient client, Printer printer) {
            ListVsisResponse answer = client.call(stub -> stub.listVsis(ListVsisRequest.newBuilder().setHost(host).build()));
            List<Vsi> vsis = answer.getVsisList();
            printer.array(vsis, () -> VsiViews.list(vsis, answer.getTenant().isEmpty()));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one VSI.")
    static final class ShowVsi extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Vsi vsi = client.call(stub -> stub.getVsi(GetVsiRequest.newBuilder().setName(name).build()));
            printer.object(vsi, () -> VsiViews.detail(vsi, context().clock().instant()));
            return 0;
        }
    }

    @Command(name = "start", description = "Ask for a stopped VSI to run again.")
    static final class StartVsi extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Vsi vsi = client.call(stub -> stub.startVsi(VsiActionRequest.newBuilder().setName(name).build()));
            printer.object(vsi, () -> VsiViews.list(List.of(vsi)));
            return 0;
        }
    }

    @Command(name = "stop", description = "Ask for a VSI to stop; it keeps its allocation.")
    static final class StopVsi extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Vsi vsi = client.call(stub -> stub.stopVsi(VsiActionRequest.newBuilder().setName(name).build()));
            printer.object(vsi, () -> VsiViews.list(List.of(vsi)));
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a VSI and free its allocation.")
    static final class DeleteVsi extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            DeleteVsiResponse deleted = client.call(stub -> stub.deleteVsi(VsiActionRequest.newBuilder().setName(name).build()));
            printer.object(deleted, () -> "deleted vsi " + deleted.getName() + "\n");
            return 0;
        }
    }

    @Command(name = "console", description = "Print a VSI's serial console log as raw bytes.")
    static final class Console extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = {"-f", "--follow"}, description = "Keep printing new output until interrupted (or --timeout).")
        boolean follow;

        @Option(names = "--tail", paramLabel = "BYTES", defaultValue = "0", description = "Only the last BYTES of the log (0: all).")
        long tailBytes;

        @Override
        void validate() {
            if (tailBytes < 0) {
                throw CliException.usage("--tail: must not be negative, got " + tailBytes);
            }
        }

        @Override
        int execute(SchedulerClient client, Printer printer) {
            ConsoleRequest request = ConsoleRequest.newBuilder().setName(name).setFollow(follow).setTailBytes(tailBytes).build();
            PrintStream out = context().out();
            try {
                streamTo(client, request, out);
            } catch (CliException e) {
                // With --follow, --timeout is how long to watch, so reaching it is a normal end.
                if (follow && root().explicitTimeout() != null && e.getCause() instanceof StatusRuntimeException sre
                        && sre.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                    return 0;
                }
                throw e;
            }
            return 0;
        }

        /** A followed console runs until interrupted unless --timeout bounds it. */
        private void streamTo(SchedulerClient client, ConsoleRequest request, PrintStream out) {
            client.stream(stub -> stub.streamConsole(request),
                    follow ? root().explicitTimeout() : root().timeoutOr(HvctlCommand.DEFAULT_RPC_TIMEOUT),
                    chunk -> {
                        try {
                            chunk.getData().writeTo(out);
                            out.flush();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
    }
}
