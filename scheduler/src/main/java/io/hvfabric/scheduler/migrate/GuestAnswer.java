package io.hvfabric.scheduler.migrate;

import io.hvfabric.proto.v1.AwaitGuestRequest;
import io.hvfabric.proto.v1.AwaitGuestResponse;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.scheduler.store.Times;
import java.time.Duration;
import java.time.Instant;

/**
 * The guest-visible end of a migration: from the target's resume to the first answer of the guest agent there, the
 * moment the guest demonstrably runs again. QEMU's downtime ends at the resume; this also counts what the guest
 * needs to notice (clock catch-up, its own timers).
 */
final class GuestAnswer {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private GuestAnswer() {}

    static AwaitGuestRequest request(String name, Instant resumeRequested) {
        return AwaitGuestRequest.newBuilder()
                .setName(name)
                .setAfter(Times.timestamp(resumeRequested))
                .setTimeoutMs(TIMEOUT.toMillis())
                .build();
    }

    /** The record with the answer noted; unchanged when one is already recorded, so repeating it writes nothing. */
    static Migration record(Migration m, AwaitGuestResponse answer, Instant resumeRequested) {
        if (m.getGuestAnswerMs() > 0) {
            return m;
        }
        Migration.Builder next = m.toBuilder();
        String note;
        if (answer.getAnswered() && answer.hasAnsweredAt()) {
            // The agent's clock against ours: clamp a skew that would put the answer before the resume.
            long ms = Math.max(0, Duration.between(resumeRequested, Times.instant(answer.getAnsweredAt())).toMillis());
            next.setGuestAnswerMs(ms);
            note = "guest agent answered " + ms + " ms after resume";
        } else {
            note = "guest agent did not answer within " + TIMEOUT.toSeconds() + " s of resume";
        }
        if (m.getMessage().contains(note)) {
            return m;
        }
        return next.setMessage(m.getMessage().isEmpty() ? note : m.getMessage() + "; " + note).build();
    }
}
