package io.hvfabric.scheduler.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;

/** Stores records as single-line protobuf JSON, so `etcdctl get` shows them readably. */
public final class RecordCodec {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private RecordCodec() {}

    public static ByteSequence encode(Message message) {
        try {
            return ByteSequence.from(PRINTER.print(message), StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot encode " + message.getDescriptorForType().getName(), e);
        }
    }

    @SuppressWarnings("unchecked")
    public static <T extends Message> T decode(ByteSequence bytes, T prototype) {
        Message.Builder builder = prototype.newBuilderForType();
        try {
            PARSER.merge(bytes.toString(StandardCharsets.UTF_8), builder);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt " + prototype.getDescriptorForType().getName() + " record", e);
        }
        return (T) builder.build();
    }
}
