package io.hvfabric.scheduler.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Stores records as single-line protobuf JSON, so `etcdctl get` shows them readably (the format on disk is unchanged
 * by the cache below).
 *
 * <p>Parsing JSON is the expensive half: every record the leader writes is parsed again by the view's watch, the
 * event pump and the leader loop's next read. So each record encoded here, and each one decoded, is remembered by
 * its bytes in a small direct-mapped cache, and decoding the same bytes into the same type returns the remembered
 * (immutable) message instead of parsing again. A miss, an evicted slot or another type is simply parsed.
 */
public final class RecordCodec {
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final int SLOTS = 1 << 14;

    private record Known(ByteSequence bytes, Message message) {}

    private static final AtomicReferenceArray<Known> KNOWN = new AtomicReferenceArray<>(SLOTS);

    private RecordCodec() {}

    public static ByteSequence encode(Message message) {
        return ByteSequence.from(encodeBytes(message));
    }

    /** The record's JSON as a ByteString, without the copies a {@link ByteSequence} round trip costs. */
    public static ByteString encodeBytes(Message message) {
        String json;
        try {
            json = PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot encode " + message.getDescriptorForType().getName(), e);
        }
        ByteString bytes = ByteString.copyFromUtf8(json);
        remember(ByteSequence.from(bytes), message);
        return bytes;
    }

    public static <T extends Message> T decode(ByteString bytes, T prototype) {
        return decode(ByteSequence.from(bytes), prototype);
    }

    @SuppressWarnings("unchecked")
    public static <T extends Message> T decode(ByteSequence bytes, T prototype) {
        int slot = slot(bytes);
        Known known = KNOWN.get(slot);
        if (known != null && known.message().getClass() == prototype.getClass() && known.bytes().equals(bytes)) {
            return (T) known.message();
        }
        Message.Builder builder = prototype.newBuilderForType();
        try {
            PARSER.merge(bytes.toString(StandardCharsets.UTF_8), builder);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt " + prototype.getDescriptorForType().getName() + " record", e);
        }
        T message = (T) builder.build();
        KNOWN.set(slot, new Known(bytes, message));
        return message;
    }

    private static void remember(ByteSequence bytes, Message message) {
        KNOWN.set(slot(bytes), new Known(bytes, message));
    }

    private static int slot(ByteSequence bytes) {
        int h = bytes.hashCode();
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
