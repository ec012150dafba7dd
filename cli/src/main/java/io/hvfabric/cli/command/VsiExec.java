package io.hvfabric.cli.command;

import com.google.protobuf.ByteString;
import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.output.Json;
import io.hvfabric.cli.output.OutputFormat;
import io.hvfabric.proto.v1.ExecVsiRequest;
import io.hvfabric.proto.v1.ExecVsiResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hvctl vsi exec NAME [--timeout D] [--stdin-file F] -- CMD ARGS...}: runs a command in the guest through its
 * guest agent and behaves like the command, as ssh does: its stdout and stderr pass through as raw bytes and its
 * exit code is hvctl's. A command still running at the timeout exits 124 (as timeout(1)); one ended by signal N
 * exits 128+N (as a shell reports it).
 */
@Command(name = "exec", description = "Run a command in a VSI through its guest agent; exits with the command's exit code.",
        footer = {"", "Put -- before the command when it has options: hvctl vsi exec web-1 -- /bin/ls -l /",
            "--timeout bounds the command in the guest (default 10s, at most 5m).",
            "Exit codes: the command's; 124 timed out; 128+N ended by signal N; 1 or 2 when hvctl refuses."})
final class VsiExec extends ClientCommand {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
    /** Beyond the command's timeout, for the scheduler's and the agent's round trips. */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(10);
    static final long MAX_STDIN_BYTES = 64 * 1024;
    static final int TIMED_OUT = 124;
    static final int SIGNALLED = 128;

    @Parameters(index = "0", paramLabel = "NAME", description = "The VSI.")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND",
            description = "The program's path in the guest, then its arguments.")
    List<String> command;

    @Option(names = "--stdin-file", paramLabel = "FILE", description = "Send this file as the command's stdin (at most 64 KiB).")
    Path stdinFile;

    private ByteString stdin = ByteString.EMPTY;

    @Override
    void validate() {
        if (name.isBlank()) {
            throw CliException.usage("NAME: must not be empty");
        }
        Duration timeout = timeout();
        if (timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw CliException.usage("--timeout: vsi exec allows at most 5m, got " + timeout.toSeconds() + "s");
        }
        if (stdinFile != null) {
            try {
                long size = Files.size(stdinFile);
                if (size > MAX_STDIN_BYTES) {
                    throw CliException.usage("--stdin-file: at most 64 KiB, " + stdinFile + " has " + size + " bytes");
                }
                stdin = ByteString.copyFrom(Files.readAllBytes(stdinFile));
            } catch (IOException e) {
                throw CliException.usage("--stdin-file: cannot read " + stdinFile + ": " + e.getMessage());
            }
        }
    }

    private Duration timeout() {
        return root().timeoutOr(DEFAULT_TIMEOUT);
    }

    @Override
    int execute(SchedulerClient client, Printer printer) {
        Duration timeout = timeout();
        ExecVsiRequest request = ExecVsiRequest.newBuilder()
                .setName(name)
                .addAllCommand(command)
                .setTimeoutMs(timeout.toMillis())
                .setStdin(stdin)
                .build();
        ExecVsiResponse result = client.call(stub -> stub.execVsi(request), timeout.plus(DEADLINE_MARGIN));
        PrintStream err = context().err();
        if (root().output() == OutputFormat.JSON) {
            context().out().println(Json.object(result));
            context().out().flush();
        } else {
            write(result.getStdout(), context().out());
            write(result.getStderr(), err);
        }
        notes(result, timeout).forEach(note -> err.println("hvctl: " + note));
        err.flush();
        return exitCode(result);
    }

    /** What the command's own output cannot say: that it timed out, or that its output was cut off. */
    List<String> notes(ExecVsiResponse result, Duration timeout) {
        List<String> notes = new ArrayList<>();
        if (result.getTimedOut()) {
            notes.add("command in VSI " + name + " still running after " + seconds(timeout) + " (timed out)");
        }
        List<String> cut = new ArrayList<>();
        if (result.getStdoutTruncated()) {
            cut.add("stdout");
        }
        if (result.getStderrTruncated()) {
            cut.add("stderr");
        }
        if (!cut.isEmpty()) {
            notes.add("the command's " + String.join(" and ", cut) + (cut.size() > 1 ? " were" : " was")
                    + " cut off (the guest agent returns at most 1 MiB of each)");
        }
        if (!result.getTimedOut() && !result.getExited() && result.getSignal() == 0) {
            notes.add("command in VSI " + name + " ended without an exit status");
        }
        return notes;
    }

    static int exitCode(ExecVsiResponse result) {
        if (result.getTimedOut()) {
            return TIMED_OUT;
        }
        if (result.getSignal() > 0) {
            return SIGNALLED + result.getSignal();
        }
        return result.getExited() ? result.getExitCode() : CliException.FAILURE;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0
                ? d.toSeconds() + " s"
                : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static void write(ByteString bytes, PrintStream stream) {
        try {
            bytes.writeTo(stream);
            stream.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
