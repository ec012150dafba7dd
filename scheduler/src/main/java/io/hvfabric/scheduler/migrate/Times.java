package io.hvfabric.scheduler.migrate;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Conversions between java.time and protobuf timestamps. */
final class Times {
    private Times() {}

    static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    static Instant instant(Timestamp ts) {
        return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    }
}
