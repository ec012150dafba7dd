package io.hvfabric.cli.command;

import com.google.protobuf.MessageOrBuilder;
import io.hvfabric.cli.output.Json;
import io.hvfabric.cli.output.OutputFormat;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;

/** Prints a result as protobuf JSON or as the command's table, per {@code -o}. */
final class Printer {
    private final OutputFormat format;
    private final PrintStream out;

    Printer(OutputFormat format, PrintStream out) {
        this.format = format;
        this.out = out;
    }

    void object(MessageOrBuilder message, Supplier<String> table) {
        out.print(format == OutputFormat.JSON ? Json.object(message) + "\n" : table.get());
        out.flush();
    }

    void array(List<? extends MessageOrBuilder> messages, Supplier<String> table) {
        out.print(format == OutputFormat.JSON ? Json.array(messages) + "\n" : table.get());
        out.flush();
    }
}
