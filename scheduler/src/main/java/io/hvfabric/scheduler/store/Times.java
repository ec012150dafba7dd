package io.hvfabric.scheduler.store;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.hvfabric.common.error.FabricException;
import java.time.Instant;

/** Conversions between java.time and the protobuf timestamps stored in records. */
public final class Times {
    private Times() {}

    public static Timestamp now() {
        return timestamp(Instant.now());
    }

    public static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    public static Instant instant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }

    /**
     * {@code ts} if protobuf calls it valid (0001-01-01 to 9999-12-31, nanos 0..999999999), else INVALID_ARGUMENT on
     * {@code field}: an invalid one neither converts to an {@link Instant} nor prints as a record's JSON.
     */
    public static Timestamp valid(String field, Timestamp ts) {
        if (!Timestamps.isValid(ts)) {
            throw FabricException.invalidArgument(field, "must be a time from 0001-01-01T00:00:00Z to"
                    + " 9999-12-31T23:59:59Z, nanos 0..999999999 (got %d s, %d ns)", ts.getSeconds(), ts.getNanos());
        }
        return ts;
    }
}
