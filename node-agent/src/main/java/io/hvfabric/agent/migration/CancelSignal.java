package io.hvfabric.agent.migration;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * Raised when the scheduler gives up on a role (its call was cancelled or hit its deadline). Reactions registered
 * with {@link #onCancel} run at once on the cancelling thread, so e.g. {@code migrate_cancel} does not wait for the
 * role's next poll.
 */
public final class CancelSignal {
    private final CountDownLatch raised = new CountDownLatch(1);
    private final CopyOnWriteArrayList<Runnable> reactions = new CopyOnWriteArrayList<>();

    public void cancel() {
        if (raised.getCount() == 0) {
            return;
        }
        raised.countDown();
        for (Runnable r : reactions) {
            r.run();
        }
    }

    public boolean isCancelled() {
        return raised.getCount() == 0;
    }

    /** Runs {@code reaction} on cancel, or now if already cancelled. */
    void onCancel(Runnable reaction) {
        reactions.add(reaction);
        if (isCancelled() && reactions.remove(reaction)) {
            reaction.run();
        }
    }
}
