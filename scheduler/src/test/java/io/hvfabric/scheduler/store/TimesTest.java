package io.hvfabric.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import org.junit.jupiter.api.Test;

class TimesTest {
    @Test
    void aTimeFromYearOneToYear9999IsValid() {
        for (Timestamp ts : new Timestamp[] {at(-62_135_596_800L, 0), at(253_402_300_799L, 999_999_999), at(0, 0)}) {
            assertThat(Times.valid("since", ts)).isSameAs(ts);
        }
    }

    /** Such a time is no Instant (Long.MAX_VALUE seconds) or prints as no record's JSON: refused, naming the field. */
    @Test
    void anyOtherIsInvalidArgumentOnTheField() {
        for (Timestamp ts : new Timestamp[] {at(Long.MAX_VALUE, 0), at(253_402_300_800L, 0), at(0, -1),
                at(0, 1_000_000_000)}) {
            assertThatThrownBy(() -> Times.valid("vsis[0].guest.since", ts))
                    .isInstanceOfSatisfying(FabricException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                        assertThat(e.getMessage()).startsWith("field 'vsis[0].guest.since': must be a time from");
                    });
        }
    }

    private static Timestamp at(long seconds, int nanos) {
        return Timestamp.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }
}
