package io.hvfabric.cli.command;

import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.output.DrainViews;
import io.hvfabric.cli.output.ProgressBar;
import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.DrainActionRequest;
import io.hvfabric.proto.v1.DrainHostRequest;
import io.hvfabric.proto.v1.DrainMove;
import io.hvfabric.proto.v1.GetMigrationRequest;
import io.hvfabric.proto.v1.Host;
import io.hvfabric.proto.v1.HostActionRequest;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.RebalancePlan;
import io.hvfabric.proto.v1.RebalanceRequest;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Cordon, uncordon, drain (`hvctl host ...`), drain control (`hvctl drain ...`) and `hvctl rebalance`. */
final class MaintenanceCommands {
    static final Duration DEFAULT_WAIT = Duration.ofHours(2);

    private MaintenanceCommands() {}

    @Command(name = "cordon", description = "Stop placing new VSIs on a host.")
    static final class Cordon extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Host host = client.call(stub -> stub.cordonHost(HostActionRequest.newBuilder().setId(id).build()));
            printer.object(host, () -> "host " + host.getId() + " is " + host.getState() + "\n");
            return 0;
        }
    }

    @Command(name = "uncordon", description = "Let a cordoned or maintenance host take VSIs again.")
    static final class Uncordon extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Host host = client.call(stub -> stub.uncordonHost(HostActionRequest.newBuilder().setId(id).build()));
            printer.object(host, () -> "host " + host.getId() + " is " + host.getState() + "\n");
            return 0;
        }
    }

    @Command(name = "drain", description = "Move every VSI off a host (one plan), then put it in MAINTENANCE.")
    static final class DrainHost extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--dry-run", description = "Print the plan and its ETA; move nothing.")
        boolean dryRun;

        @Option(names = "--wait", description = "Follow the drain with progress until it ends; exit 0 only if COMPLETED.")
        boolean await;

        @Option(names = "--max-parallel", paramLabel = "N", defaultValue = "0",
                description = "At most N of this drain's migrations at once (0: the cluster's budgets).")
        int maxParallel;

        @Override
        void validate() {
            if (maxParallel < 0) {
                throw CliException.usage("--max-parallel: must not be negative, got " + maxParallel);
            }
        }

        @Override
        int execute(SchedulerClient client, Printer printer) {
            Drain drain = client.call(stub -> stub.drainHost(DrainHostRequest.newBuilder()
                    .setHost(id).setDryRun(dryRun).setMaxParallel(maxParallel).build()));
            if (dryRun || !await) {
                printer.object(drain, () -> (dryRun ? "dry run: nothing moved\n" : "") + drain.getPlanText()
                        + (drain.getPlanText().endsWith("\n") ? "" : "\n"));
                return 0;
            }
            Drain last = follow(client, drain, context().err(), root().timeoutOr(DEFAULT_WAIT));
            printer.object(last, () -> DrainViews.detail(last));
            return last.getPhase() == Drain.Phase.COMPLETED ? 0 : 1;
        }

        /** Overall progress plus one bar per migration in flight, until the drain ends. */
        static Drain follow(SchedulerClient client, Drain start, PrintStream err, Duration timeout) {
            Drain[] last = {start};
            String[] lastLine = {""};
            Map<String, ProgressBar> bars = new HashMap<>();
            client.stream(stub -> stub.watchDrain(DrainActionRequest.newBuilder().setHost(start.getHost()).build()),
                    timeout, d -> {
                        last[0] = d;
                        String line = DrainViews.progress(d);
                        if (!line.equals(lastLine[0])) {
                            err.println(line);
                            lastLine[0] = line;
                        }
                        for (DrainMove move : d.getMovesList()) {
                            if (move.getState().equals("MIGRATING") && !move.getMigrationId().isEmpty()) {
                                Migration m = client.call(stub -> stub.getMigration(
                                        GetMigrationRequest.newBuilder().setId(move.getMigrationId()).build()));
                                var p = m.getProgress();
                                if (p.getTotalBytes() > 0) {
                                    bars.computeIfAbsent(m.getId(), k -> new ProgressBar(err, false,
                                            "  " + m.getName() + " → " + m.getTo(), ProgressBar.DEFAULT_WIDTH))
                                            .update(p.getTotalBytes() - p.getRemainingBytes(), p.getTotalBytes(),
                                                    p.getThroughputMibps() * 1024 * 1024);
                                }
                            }
                        }
                    });
            return last[0];
        }
    }

    @Command(name = "drain", description = "Control a running drain: show, pause, resume, cancel.",
            subcommands = {DrainControl.Show.class, DrainControl.Pause.class, DrainControl.Resume.class,
                DrainControl.Cancel.class})
    static final class DrainControl {
        abstract static class Action extends ClientCommand {
            @Parameters(index = "0", paramLabel = "HOST")
            String host;

            abstract Drain call(SchedulerClient client, DrainActionRequest request);

            DrainActionRequest request() {
                return DrainActionRequest.newBuilder().setHost(host).build();
            }

            @Override
            int execute(SchedulerClient client, Printer printer) {
                Drain d = call(client, request());
                printer.object(d, () -> DrainViews.detail(d));
                return 0;
            }
        }

        @Command(name = "show", description = "Show a drain's plan and progress.")
        static final class Show extends Action {
            @Override
            Drain call(SchedulerClient client, DrainActionRequest r) {
                return client.call(stub -> stub.getDrain(r));
            }
        }

        @Command(name = "pause", description = "Admit no new migrations; those running finish.")
        static final class Pause extends Action {
            @Override
            Drain call(SchedulerClient client, DrainActionRequest r) {
                return client.call(stub -> stub.pauseDrain(r));
            }
        }

        @Command(name = "resume", description = "Admit migrations again.")
        static final class Resume extends Action {
            @Override
            Drain call(SchedulerClient client, DrainActionRequest r) {
                return client.call(stub -> stub.resumeDrain(r));
            }
        }

        @Command(name = "cancel", description = "Stop the drain; running migrations finish or roll back.")
        static final class Cancel extends Action {
            @Option(names = "--uncordon", description = "Return the host to READY once the drain has stopped.")
            boolean uncordon;

            @Override
            DrainActionRequest request() {
                return DrainActionRequest.newBuilder().setHost(host).setUncordon(uncordon).build();
            }

            @Override
            Drain call(SchedulerClient client, DrainActionRequest r) {
                return client.call(stub -> stub.cancelDrain(r));
            }
        }
    }

    @Command(name = "rebalance", description = "Plan (and unless --dry-run, start) the moves that best reduce imbalance.")
    static final class Rebalance extends ClientCommand {
        @Option(names = "--dry-run", description = "Print the plan with imbalance before and after; move nothing.")
        boolean dryRun;

        @Option(names = "--wait", description = "Follow the started migrations until they end.")
        boolean await;

        @Override
        int execute(SchedulerClient client, Printer printer) {
            RebalancePlan plan = client.call(stub -> stub.rebalance(RebalanceRequest.newBuilder().setDryRun(dryRun).build()));
            printer.object(plan, () -> DrainViews.rebalance(plan));
            int failed = 0;
            if (await && !dryRun) {
                for (var move : plan.getMovesList()) {
                    if (move.getMigrationId().isEmpty()) {
                        continue;
                    }
                    Migration start = client.call(stub -> stub.getMigration(
                            GetMigrationRequest.newBuilder().setId(move.getMigrationId()).build()));
                    Migration end = MigrationCommands.Migrate.follow(client, start, context().err(),
                            root().timeoutOr(DEFAULT_WAIT));
                    if (end.getPhase() != Migration.Phase.COMPLETED) {
                        failed++;
                    }
                }
            }
            return failed == 0 ? 0 : 1;
        }
    }
}
