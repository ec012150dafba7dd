package io.hvfabric.scheduler.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.AwaitGuestResponse;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.scheduler.store.Times;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class GuestAnswerTest {
    private static final Instant RESUMED = Instant.parse("2026-12-01T10:00:00Z");
    private static final Migration COMPLETED = Migration.newBuilder().setId("m-1").setPhase(Migration.Phase.COMPLETED)
            .setMessage("QEMU downtime 40 ms + switchover 12 ms; target running").build();

    private static AwaitGuestResponse answeredAfter(long millis) {
        return AwaitGuestResponse.newBuilder().setAnswered(true)
                .setAnsweredAt(Times.timestamp(RESUMED.plusMillis(millis))).build();
    }

    @Test
    void theAnswerIsRecordedWithANote() {
        Migration m = GuestAnswer.record(COMPLETED, answeredAfter(412), RESUMED);

        assertThat(m.getGuestAnswerMs()).isEqualTo(412);
        assertThat(m.getMessage()).isEqualTo(
                "QEMU downtime 40 ms + switchover 12 ms; target running; guest agent answered 412 ms after resume");
        assertThat(m.getPhase()).isEqualTo(Migration.Phase.COMPLETED);
    }

    @Test
    void repeatingItChangesNothing() {
        Migration once = GuestAnswer.record(COMPLETED, answeredAfter(412), RESUMED);

        assertThat(GuestAnswer.record(once, answeredAfter(900), RESUMED)).isEqualTo(once);
    }

    @Test
    void noAnswerLeavesTheFieldUnknownAndSaysSo() {
        Migration m = GuestAnswer.record(COMPLETED, AwaitGuestResponse.getDefaultInstance(), RESUMED);

        assertThat(m.getGuestAnswerMs()).isZero();
        assertThat(m.getMessage()).endsWith("; guest agent did not answer within 10 s of resume");
        assertThat(GuestAnswer.record(m, AwaitGuestResponse.getDefaultInstance(), RESUMED)).isEqualTo(m);
    }

    @Test
    void theRequestAsksForAnAnswerAfterTheResume() {
        var request = GuestAnswer.request("web-1", RESUMED);

        assertThat(request.getName()).isEqualTo("web-1");
        assertThat(Times.instant(request.getAfter())).isEqualTo(RESUMED);
        assertThat(request.getTimeoutMs()).isEqualTo(10_000);
    }
}
