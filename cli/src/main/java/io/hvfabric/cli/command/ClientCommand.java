package io.hvfabric.cli.command;

import io.hvfabric.cli.CliContext;
import io.hvfabric.cli.client.SchedulerClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A subcommand that talks to the scheduler: connects, runs, and always closes the channels. */
abstract class ClientCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        validate();
        try (SchedulerClient client = root().connect()) {
            return execute(client, new Printer(root().output(), context().out()));
        }
    }

    /** Checks argument values before any connection is attempted; throws CliException.usage. */
    void validate() {}

    abstract int execute(SchedulerClient client, Printer printer);

    HvctlCommand root() {
        return (HvctlCommand) spec.root().userObject();
    }

    CliContext context() {
        return root().context();
    }
}
