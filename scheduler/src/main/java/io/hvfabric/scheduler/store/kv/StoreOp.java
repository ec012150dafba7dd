package io.hvfabric.scheduler.store.kv;

import com.google.protobuf.ByteString;
import java.util.Objects;

/** A write inside a transaction. */
public sealed interface StoreOp {
    /** The keys this operation writes start with {@link #key()} (exactly it, unless it is a prefix delete). */
    String key();

    /** Sets {@code key} to {@code value}, bound to {@code lease} (0: none). */
    record Put(String key, ByteString value, long lease) implements StoreOp {
        public Put {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Removes {@code key}; nothing happens if it does not exist. */
    record Delete(String key) implements StoreOp {
        public Delete {
            Objects.requireNonNull(key, "key");
        }
    }

    /** Removes every key starting with {@code key}. */
    record DeletePrefix(String key) implements StoreOp {
        public DeletePrefix {
            Objects.requireNonNull(key, "key");
            if (key.isEmpty()) {
                throw new IllegalArgumentException("a prefix delete needs a non-empty prefix");
            }
        }
    }

    static Put put(String key, ByteString value) {
        return new Put(key, value, 0);
    }

    static Put put(String key, ByteString value, long lease) {
        return new Put(key, value, lease);
    }

    static Delete delete(String key) {
        return new Delete(key);
    }

    static DeletePrefix deletePrefix(String prefix) {
        return new DeletePrefix(prefix);
    }
}
