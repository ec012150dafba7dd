package io.hvfabric.scheduler.leader.loop;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.store.kv.StoreOp;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A decision's typed reads and writes of the fabric's records, by kind and name, over its {@link DecisionContext}. */
public final class Records {
    private final DecisionContext context;
    private final Keys keys;

    public Records(DecisionContext context, Keys keys) {
        this.context = context;
        this.keys = keys;
    }

    public <T extends Message> Optional<T> get(Keys.Kind kind, String name, T prototype) {
        return context.read(key(kind, name)).map(bytes -> decode(bytes, prototype));
    }

    public void put(Keys.Kind kind, String name, Message record) {
        context.write(StoreOp.put(key(kind, name), RecordCodec.encodeBytes(record)));
    }

    public void delete(Keys.Kind kind, String name) {
        context.write(StoreOp.delete(key(kind, name)));
    }

    /** Records of {@code kind} written by decisions the view does not show yet: name to record, empty if deleted. */
    public <T extends Message> Map<String, Optional<T>> pending(Keys.Kind kind, T prototype) {
        String dir = keys.dir(kind).toString(StandardCharsets.UTF_8);
        Map<String, Optional<T>> found = new LinkedHashMap<>();
        context.pendingUnder(dir).forEach((key, value) ->
                found.put(key.substring(dir.length()), value.map(bytes -> decode(bytes, prototype))));
        return found;
    }

    private String key(Keys.Kind kind, String name) {
        return keys.of(kind, name).toString(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private <T extends Message> T decode(ByteString bytes, T prototype) {
        Class<T> type = (Class<T>) prototype.getClass();
        return context.decoded(type, bytes, b -> RecordCodec.decode(b, prototype));
    }
}
