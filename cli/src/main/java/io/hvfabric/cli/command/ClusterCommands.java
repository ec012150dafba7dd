package io.hvfabric.cli.command;

import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.output.ClusterViews;
import io.hvfabric.proto.v1.ClusterStatus;
import io.hvfabric.proto.v1.GetClusterStatusRequest;
import picocli.CommandLine.Command;

@Command(name = "cluster", description = "Inspect the scheduler cluster.", subcommands = ClusterCommands.Status.class)
final class ClusterCommands {

    @Command(name = "status", description = "Leader, replicas, etcd endpoints and cluster members.")
    static final class Status extends ClientCommand {
        @Override
        int execute(SchedulerClient client, Printer printer) {
            ClusterStatus status = client.call(stub -> stub.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
            printer.object(status, () -> ClusterViews.status(status));
            return 0;
        }
    }
}
