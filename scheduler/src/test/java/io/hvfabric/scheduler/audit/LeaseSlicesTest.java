package io.hvfabric.scheduler.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaseSlicesTest {
    @Test
    void aSliceIsAnHourOfAWeekWithinOneSecondToOneHour() {
        assertThat(LeaseSlices.sliceOf(Duration.ofDays(7))).isEqualTo(Duration.ofHours(1));
        assertThat(LeaseSlices.sliceOf(Duration.ofDays(30))).isEqualTo(Duration.ofHours(1));
        assertThat(LeaseSlices.sliceOf(Duration.ofHours(7))).isEqualTo(Duration.ofMinutes(2).plusSeconds(30));
        assertThat(LeaseSlices.sliceOf(Duration.ofMinutes(1))).isEqualTo(Duration.ofSeconds(1));
    }
}
