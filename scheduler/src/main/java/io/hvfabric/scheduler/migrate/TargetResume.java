package io.hvfabric.scheduler.migrate;

import io.grpc.Status;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.MigrationControlRequest;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import io.hvfabric.scheduler.leader.Term;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes a migrated guest on its target and reports whether the target confirmed that the guest runs there: the only
 * evidence on which ownership may move and the source's copy may go. ResumeTarget is idempotent, so an unknown or
 * transient answer (the receive session still closing, the agent restarting, a lost reply) is asked again until the
 * bound; a target whose copy is gone (NOT_FOUND) has answered for good.
 */
final class TargetResume {
    private static final Logger LOG = LoggerFactory.getLogger(TargetResume.class);
    /** What the agent answers once QEMU accepted cont. */
    static final String RUNNING = "running";
    /** Each call gets at least this much, so the last attempt before the bound is not cut short at once. */
    private static final Duration MIN_CALL = Duration.ofMillis(250);

    /**
     * @param requestedAt when the call that confirmed was sent (the guest cannot answer before then); null unless
     *                    confirmed
     */
    record Outcome(boolean confirmed, String detail, Instant requestedAt) {}

    private final AgentChannels agents;
    private final Term term;
    private final Predicate<Term> leads;
    private final Duration bound;
    private final Duration callDeadline;

    TargetResume(AgentChannels agents, Term term, Predicate<Term> leads, Duration bound, Duration callDeadline) {
        this.agents = agents;
        this.term = term;
        this.leads = leads;
        this.bound = bound;
        this.callDeadline = callDeadline;
    }

    /**
     * @throws FabricException NOT_LEADER once this term is over: the next leader asks the target again
     */
    Outcome resume(String host, MigrationControlRequest request) {
        long deadline = System.nanoTime() + bound.toNanos();
        String last = "no answer";
        for (int attempt = 1; ; attempt++) {
            if (!leads.test(term)) {
                throw FabricException.notLeader("term " + term.revision() + " is over");
            }
            long callMs = Math.min(callDeadline.toMillis(),
                    Math.max(MIN_CALL.toMillis(), (deadline - System.nanoTime()) / 1_000_000));
            Instant requestedAt = Instant.now();
            try {
                String state = NodeServiceGrpc.newBlockingStub(agents.forHost(host))
                        .withDeadlineAfter(callMs, TimeUnit.MILLISECONDS)
                        .resumeTarget(request).getState();
                if (RUNNING.equals(state)) {
                    return new Outcome(true, state, requestedAt);
                }
                last = "the target reports the guest " + state;
            } catch (RuntimeException e) {
                Status status = Status.fromThrowable(e);
                if (status.getCode() == Status.Code.NOT_FOUND) {
                    return new Outcome(false, "its copy is gone: " + status.getDescription(), null);
                }
                last = status.getCode() == Status.Code.UNKNOWN ? e.getMessage()
                        : status.getCode() + ": " + status.getDescription();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new Outcome(false, last + " (" + attempt + " attempts within " + bound.toMillis() + " ms)",
                        null);
            }
            LOG.warn("migration {}: resuming on {} not confirmed ({}); asking again", request.getMigrationId(), host,
                    last);
            sleep(Math.min(left / 1_000_000, Math.min(1000, 25L << Math.min(6, attempt - 1))));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FabricException.unavailable("interrupted while resuming the migrated guest");
        }
    }
}
