package io.hvfabric.cli.command;

import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.output.Json;
import io.hvfabric.cli.output.MigrationViews;
import io.hvfabric.cli.output.OutputFormat;
import io.hvfabric.cli.output.ProgressBar;
import io.hvfabric.proto.v1.GetMigrationRequest;
import io.hvfabric.proto.v1.ListMigrationsRequest;
import io.hvfabric.proto.v1.MigrateVsiRequest;
import io.hvfabric.proto.v1.Migration;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `hvctl migration ...` and `hvctl vsi migrate`. */
@Command(name = "migration", description = "Live migrations: list, show, cancel.",
        subcommands = {
            MigrationCommands.ListMigrations.class,
            MigrationCommands.ShowMigration.class,
            MigrationCommands.CancelMigration.class
        })
final class MigrationCommands {
    static final Duration DEFAULT_WAIT = Duration.ofMinutes(30);

    @Command(name = "list", description = "List migrations, newest last.")
    static final class ListMigrations extends ClientCommand {
        @Option(names = "--vsi", paramLabel = "NAME", defaultValue = "", description = "Only this VSI's migrations.")
        String vsi;

        @Option(names = "--active", description = "Only migrations still in flight.")
        boolean active;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            List<Migration> list = client.call(stub -> stub.listMigrations(
                    ListMigrationsRequest.newBuilder().setName(vsi).setActiveOnly(active).build())).getMigrationsList();
            printer.array(list, () -> MigrationViews.list(list));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one migration with its phase history.")
    static final class ShowMigration extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Migration m = client.call(stub -> stub.getMigration(GetMigrationRequest.newBuilder().setId(id).build()));
            printer.object(m, () -> MigrationViews.detail(m));
            return 0;
        }
    }

    @Command(name = "cancel", description = "Cancel a migration: the VSI stays where it runs now.")
    static final class CancelMigration extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Migration m = client.call(stub -> stub.cancelMigration(GetMigrationRequest.newBuilder().setId(id).build()));
            printer.object(m, () -> "cancelling migration " + m.getId() + " of " + m.getName() + "\n");
            return 0;
        }
    }

    /** `hvctl vsi migrate NAME [--to HOST] [--max-bandwidth MIBPS] [--max-downtime MS] [--wait]`. */
    @Command(name = "migrate", description = "Live-migrate a running VSI to another host (placement picks one without --to).")
    static final class Migrate extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--to", paramLabel = "HOST", defaultValue = "", description = "Target host.")
        String to;

        @Option(names = "--max-bandwidth", paramLabel = "MIBPS", defaultValue = "0",
                description = "Cap on the memory stream in MiB/s (0: the link's speed).")
        long maxBandwidth;

        @Option(names = "--max-downtime", paramLabel = "MS", defaultValue = "0",
                description = "Longest acceptable pause of the guest (0: the VSI's objective, default 300 ms).")
        long maxDowntime;

        @Option(names = "--max-duration", paramLabel = "MS", defaultValue = "0",
                description = "Longest acceptable migration (0: derived from memory and bandwidth).")
        long maxDuration;

        @Option(names = "--wait", description = "Follow the migration with a progress bar until it ends; exit 0 only if COMPLETED.")
        boolean await;

        @Override
        void validate() {
            if (name.isBlank()) {
                throw CliException.usage("NAME: must not be empty");
            }
            if (maxBandwidth < 0) {
                throw CliException.usage("--max-bandwidth: must not be negative, got " + maxBandwidth);
            }
            if (maxDowntime < 0) {
                throw CliException.usage("--max-downtime: must not be negative, got " + maxDowntime);
            }
            if (maxDuration < 0) {
                throw CliException.usage("--max-duration: must not be negative, got " + maxDuration);
            }
        }

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Migration accepted = client.call(stub -> stub.migrateVsi(MigrateVsiRequest.newBuilder()
                    .setName(name)
                    .setTo(to)
                    .setMaxBandwidthMibps(maxBandwidth)
                    .setMaxDowntimeMs(maxDowntime)
                    .setMaxDurationMs(maxDuration)
                    .build()));
            if (!await) {
                printer.object(accepted, () -> accepted.getId() + "\n");
                return 0;
            }
            Migration last = follow(client, accepted, context().err(), root().timeoutOr(DEFAULT_WAIT));
            PrintStream out = context().out();
            if (root().output() == OutputFormat.JSON) {
                out.println(Json.object(last, Map.of("status", last.getPhase().name())));
            } else {
                out.print(MigrationViews.detail(last));
            }
            out.flush();
            return last.getPhase() == Migration.Phase.COMPLETED ? 0 : 1;
        }

        /** Streams the migration, drawing its progress on stderr, until it reaches a terminal phase. */
        static Migration follow(SchedulerClient client, Migration start, PrintStream err, Duration timeout) {
            ProgressBar bar = ProgressBar.onStderr(err, start.getName() + " " + start.getFrom() + "→" + start.getTo());
            Migration[] last = {start};
            Migration.Phase[] phase = {null};
            client.stream(stub -> stub.watchMigration(GetMigrationRequest.newBuilder().setId(start.getId()).build()),
                    timeout, m -> {
                        last[0] = m;
                        if (m.getPhase() != phase[0]) {
                            bar.finish();
                            err.println("migration " + m.getId() + ": " + m.getPhase()
                                    + (m.getReason().isEmpty() ? "" : " (" + m.getReason() + ")"));
                            phase[0] = m.getPhase();
                        }
                        var p = m.getProgress();
                        if (p.getTotalBytes() > 0) {
                            bar.update(p.getTotalBytes() - p.getRemainingBytes(), p.getTotalBytes(),
                                    p.getThroughputMibps() * 1024 * 1024);
                        }
                    });
            bar.finish();
            return last[0];
        }
    }
}
