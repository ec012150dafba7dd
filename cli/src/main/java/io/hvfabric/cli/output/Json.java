package io.hvfabric.cli.output;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.util.List;

/** Protobuf JSON with default values printed, so scripts see zeros and empty strings as fields. */
public final class Json {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();

    private Json() {}

    public static String object(MessageOrBuilder message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            // Only google.protobuf.Any with unknown types can fail, and the API has none.
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** A JSON array of messages, each indented like JsonFormat's own nested objects. */
    public static String array(List<? extends MessageOrBuilder> messages) {
        if (messages.isEmpty()) {
            return "[]";
        }
        StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < messages.size(); i++) {
            json.append(object(messages.get(i)).indent(2).stripTrailing());
            json.append(i + 1 < messages.size() ? ",\n" : "\n");
        }
        return json.append(']').toString();
    }
}
