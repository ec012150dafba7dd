package io.hvfabric.cli;

import io.grpc.StatusRuntimeException;
import io.hvfabric.cli.client.ChannelFactory;
import io.hvfabric.cli.client.GrpcErrors;
import io.hvfabric.cli.client.NettyChannelFactory;
import io.hvfabric.cli.command.CommandGroups;
import io.hvfabric.cli.command.HvctlCommand;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point of {@code hvctl}. Exit codes: 0 success, 2 invalid usage (including a server
 * INVALID_ARGUMENT), 1 any other failure. Every error is one {@code hvctl: <message>} line on stderr.
 */
public final class Hvctl {
    private Hvctl() {}

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, System.getenv(), args));
    }

    public static int run(PrintStream out, PrintStream err, Map<String, String> env, String... args) {
        try (NettyChannelFactory channels = new NettyChannelFactory()) {
            return run(out, err, env, channels, args);
        }
    }

    /** As {@link #run(PrintStream, PrintStream, Map, String...)} with the channels supplied, e.g. in-process. */
    public static int run(PrintStream out, PrintStream err, Map<String, String> env, ChannelFactory channels,
            String... args) {
        CliContext context = new CliContext(out, err, Map.copyOf(env), channels, Clock.systemUTC());
        return commandLine(context, args).execute(args);
    }

    static CommandLine commandLine(CliContext context, String... arguments) {
        CommandLine commandLine = new CommandLine(new HvctlCommand(context));
        CommandGroups.addTo(commandLine, arguments); // before the settings below, which reach only commands already added
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setOut(new PrintWriter(context.out(), true));
        commandLine.setErr(new PrintWriter(context.err(), true));
        commandLine.setParameterExceptionHandler((e, args) -> {
            String hint = " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')";
            return report(context.err(), CliException.USAGE, decapitalize(e.getMessage()) + hint);
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> handle(context.err(), e));
        return commandLine;
    }

    private static int handle(PrintStream err, Exception e) {
        if (e instanceof CliException cli) {
            return report(err, cli.exitCode(), cli.getMessage());
        }
        if (e instanceof StatusRuntimeException status) {
            CliException cli = GrpcErrors.toCliException(status);
            return report(err, cli.exitCode(), cli.getMessage());
        }
        // A bug, not an operator error: still one line, with the type to help a bug report.
        return report(err, CliException.FAILURE, "internal error: " + e.getClass().getName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    private static int report(PrintStream err, int exitCode, String message) {
        err.println("hvctl: " + GrpcErrors.oneLine(message == null ? "unknown error" : message));
        err.flush();
        return exitCode;
    }

    private static String decapitalize(String message) {
        if (message == null || message.isEmpty()) {
            return "invalid usage";
        }
        return message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
    }
}
