package io.hvfabric.cli.output;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.util.List;

/**
 * Protobuf JSON with default values printed, so scripts see zeros and empty strings as fields. Unlike protobuf's
 * canonical mapping, 64-bit integers (memoryMib, term, transferred bytes) are printed as JSON numbers: scripts
 * compare them numerically, and `jq`/Python read them exactly.
 */
public final class Json {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    private static final Gson LINE = new GsonBuilder().disableHtmlEscaping().create();

    private Json() {}

    public static String object(MessageOrBuilder message) {
        return GSON.toJson(tree(message));
    }

    /** The message's JSON object with extra top-level string fields (e.g. a derived "status"). */
    public static String object(MessageOrBuilder message, java.util.Map<String, String> extra) {
        JsonElement tree = tree(message);
        extra.forEach((k, v) -> tree.getAsJsonObject().addProperty(k, v));
        return GSON.toJson(tree);
    }

    /** The message's JSON object on one line (JSON Lines, for streams). */
    public static String line(MessageOrBuilder message) {
        return LINE.toJson(tree(message));
    }

    /** A JSON array of messages. */
    public static String array(List<? extends MessageOrBuilder> messages) {
        JsonArray array = new JsonArray();
        for (MessageOrBuilder m : messages) {
            array.add(tree(m));
        }
        return GSON.toJson(array);
    }

    private static JsonElement tree(MessageOrBuilder message) {
        try {
            JsonElement json = JsonParser.parseString(PRINTER.print(message));
            numbersFor64BitFields(message.getDescriptorForType(), json);
            return json;
        } catch (InvalidProtocolBufferException e) {
            // Only google.protobuf.Any with unknown types can fail, and the API has none.
            throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Walks the JSON alongside the message's descriptor, turning 64-bit integer strings back into numbers. */
    private static void numbersFor64BitFields(Descriptor type, JsonElement json) {
        if (!json.isJsonObject() || type.getFullName().startsWith("google.protobuf.")) {
            return; // well-known types (Timestamp, ...) have their own string forms
        }
        JsonObject object = json.getAsJsonObject();
        for (FieldDescriptor field : type.getFields()) {
            JsonElement value = object.get(field.getJsonName());
            if (value == null || value.isJsonNull()) {
                continue;
            }
            if (field.isMapField()) {
                FieldDescriptor mapValue = field.getMessageType().findFieldByName("value");
                if (value.isJsonObject()) {
                    for (var entry : value.getAsJsonObject().entrySet()) {
                        entry.setValue(convert(mapValue, entry.getValue()));
                    }
                }
            } else if (field.isRepeated() && value.isJsonArray()) {
                JsonArray array = value.getAsJsonArray();
                for (int i = 0; i < array.size(); i++) {
                    array.set(i, convert(field, array.get(i)));
                }
            } else {
                object.add(field.getJsonName(), convert(field, value));
            }
        }
    }

    private static JsonElement convert(FieldDescriptor field, JsonElement value) {
        switch (field.getJavaType()) {
            case LONG -> {
                if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
                    return new JsonPrimitive(Long.parseLong(value.getAsString()));
                }
                return value;
            }
            case MESSAGE -> {
                numbersFor64BitFields(field.getMessageType(), value);
                return value;
            }
            default -> {
                return value;
            }
        }
    }
}
