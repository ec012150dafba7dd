package io.hvfabric.scheduler.store.kv;

import com.google.protobuf.ByteString;
import java.util.Objects;

/**
 * One condition of a transaction, as etcd evaluates it: a missing key has version, create and mod revision 0 and
 * no value, so any comparison of its value fails.
 */
public record StoreCompare(String key, Target target, Relation relation, long number, ByteString value) {
    /** What of the key is compared. */
    public enum Target { VERSION, CREATE_REVISION, MOD_REVISION, VALUE }

    /** How it is compared with the operand. */
    public enum Relation {
        EQUAL, NOT_EQUAL, GREATER, LESS;

        boolean holds(int comparison) {
            return switch (this) {
                case EQUAL -> comparison == 0;
                case NOT_EQUAL -> comparison != 0;
                case GREATER -> comparison > 0;
                case LESS -> comparison < 0;
            };
        }
    }

    public StoreCompare {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(relation, "relation");
        if ((target == Target.VALUE) != (value != null)) {
            throw new IllegalArgumentException("a value compare takes a value operand, the others a number");
        }
    }

    /** The key's last change was at {@code revision} (0: the key does not exist): a compare-and-swap's guard. */
    public static StoreCompare modRevision(String key, long revision) {
        return new StoreCompare(key, Target.MOD_REVISION, Relation.EQUAL, revision, null);
    }

    /** The key was created at {@code revision}: the fencing guard on a leader key. */
    public static StoreCompare createRevision(String key, long revision) {
        return new StoreCompare(key, Target.CREATE_REVISION, Relation.EQUAL, revision, null);
    }

    /** The key does not exist. */
    public static StoreCompare absent(String key) {
        return new StoreCompare(key, Target.VERSION, Relation.EQUAL, 0, null);
    }

    public static StoreCompare valueEquals(String key, ByteString value) {
        return new StoreCompare(key, Target.VALUE, Relation.EQUAL, 0, value);
    }

    /** Whether this holds for {@code entry} (null: the key does not exist). */
    public boolean holdsFor(StoreEntry entry) {
        if (target == Target.VALUE) {
            return entry != null && relation.holds(compareBytes(entry.value(), value));
        }
        long actual = entry == null ? 0 : switch (target) {
            case VERSION -> entry.version();
            case CREATE_REVISION -> entry.createRevision();
            case MOD_REVISION -> entry.modRevision();
            case VALUE -> throw new AssertionError();
        };
        return relation.holds(Long.compare(actual, number));
    }

    /** etcd compares values as unsigned bytes, lexicographically. */
    private static int compareBytes(ByteString a, ByteString b) {
        return ByteString.unsignedLexicographicalComparator().compare(a, b);
    }
}
