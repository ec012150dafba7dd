package io.hvfabric.agent.migration;

import io.hvfabric.agent.qmp.QmpClient;
import io.hvfabric.agent.qmp.QmpEvent;
import io.hvfabric.agent.qmp.QmpEventListener;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Wakes a migration role's polling loop as soon as QEMU announces a state change (the {@code MIGRATION} event,
 * enabled by the {@code events} capability) or the scheduler cancels, instead of at its next poll. At the end of a
 * migration the guest is paused until both agents have noticed: each poll interval saved there is downtime saved.
 * The loop still polls, so a lost event only costs one interval.
 */
final class MigrationWakeups implements QmpEventListener, AutoCloseable {
    static final String EVENT = "MIGRATION";

    private final Semaphore signals = new Semaphore(0);
    private final QmpClient qmp;

    MigrationWakeups(QmpClient qmp, CancelSignal cancel) {
        this.qmp = qmp;
        qmp.addEventListener(this);
        cancel.onCancel(signals::release);
    }

    @Override
    public void onEvent(QmpEvent event) {
        if (EVENT.equals(event.name())) {
            signals.release();
        }
    }

    /** Sleeps until woken or {@code millis} passed; wake-ups that arrived meanwhile are consumed together. */
    void await(long millis) throws InterruptedException {
        if (signals.tryAcquire(millis, TimeUnit.MILLISECONDS)) {
            signals.drainPermits();
        }
    }

    @Override
    public void close() {
        qmp.removeEventListener(this);
    }
}
