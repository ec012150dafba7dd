package io.hvfabric.scheduler.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One fuzzed call: who calls, and the request. Shown with long strings cut, so a counterexample stays readable. */
record Fuzzed<Q extends Message>(Caller caller, Q request) {
    private static final int SHOWN = 40;
    private static final int LISTED = 3;

    @Override
    public String toString() {
        List<String> cut = new ArrayList<>();
        String shown = TextFormat.printer().emittingSingleLine(true).printToString(abbreviated(request, cut));
        return caller + ": " + shown + (cut.isEmpty() ? "" : " (" + String.join(", ", cut) + ")");
    }

    /** Every string the request carries (nested, repeated and map ones included). */
    List<String> strings() {
        List<String> strings = new ArrayList<>();
        collect(request, strings);
        return strings;
    }

    private static void collect(Message message, List<String> into) {
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            for (Object value : values(field)) {
                if (value instanceof String s) {
                    into.add(s);
                } else if (value instanceof Message m) {
                    collect(m, into);
                }
            }
        }
    }

    private static List<?> values(Map.Entry<FieldDescriptor, Object> field) {
        return field.getKey().isRepeated() ? (List<?>) field.getValue() : List.of(field.getValue());
    }

    /** A copy with long strings cut and long lists shortened to their first {@value #LISTED} ({@code cut} says so). */
    @SuppressWarnings("unchecked")
    private static <M extends Message> M abbreviated(M message, List<String> cut) {
        Message.Builder copy = message.toBuilder();
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            FieldDescriptor f = field.getKey();
            List<?> values = values(field);
            if (values.size() > LISTED) {
                cut.add(f.getName() + ": " + values.size() + " entries, " + LISTED + " shown");
                values = values.subList(0, LISTED);
            }
            copy.clearField(f);
            for (Object value : values) {
                Object shown = shortened(value, cut);
                if (f.isRepeated()) {
                    copy.addRepeatedField(f, shown);
                } else {
                    copy.setField(f, shown);
                }
            }
        }
        return (M) copy.build();
    }

    private static Object shortened(Object value, List<String> cut) {
        if (value instanceof String s && s.length() > SHOWN) {
            return s.substring(0, SHOWN) + "…(" + s.length() + " chars)";
        }
        if (value instanceof ByteString b && b.size() > SHOWN) {
            return ByteString.copyFromUtf8("…(" + b.size() + " bytes)");
        }
        return value instanceof Message m ? abbreviated(m, cut) : value;
    }
}
