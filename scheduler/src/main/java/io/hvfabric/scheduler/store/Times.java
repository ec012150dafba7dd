package io.hvfabric.scheduler.store;

import com.google.protobuf.Timestamp;
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
}
