package io.hvfabric.cli.command;

import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.output.HostViews;
import io.hvfabric.proto.v1.GetHostRequest;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.ListHostsRequest;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.Vsi;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "host", description = "Inspect hosts; cordon, uncordon and drain them.",
        subcommands = {HostCommands.ListHosts.class, HostCommands.ShowHost.class, MaintenanceCommands.Cordon.class,
            MaintenanceCommands.Uncordon.class, MaintenanceCommands.DrainHost.class})
final class HostCommands {

    @Command(name = "list", description = "List hosts with their allocation and health.")
    static final class ListHosts extends ClientCommand {
        @Override
        int execute(SchedulerClient client, Printer printer) {
            List<Host> hosts = client.call(stub -> stub.listHosts(ListHostsRequest.getDefaultInstance())).getHostsList();
            printer.array(hosts, () -> HostViews.list(hosts));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one host and the VSIs on it.")
    static final class ShowHost extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "Host id.")
        String id;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Host host = client.call(stub -> stub.getHost(GetHostRequest.newBuilder().setId(id).build()));
            printer.object(host, () -> {
                List<Vsi> vsis = client.call(stub -> stub.listVsis(ListVsisRequest.newBuilder().setHost(id).build()))
                        .getVsisList();
                return HostViews.detail(host, vsis, context().clock().instant());
            });
            return 0;
        }
    }
}
