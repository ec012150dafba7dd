package io.hvfabric.scheduler.view;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a listener that scans the whole view (metrics exporters) at most once per interval, on its own thread, with
 * the latest revision: a busy cluster changes the view hundreds of times a second, and scanning thousands of hosts
 * and VSIs on the watch thread each time would make the watch, and so every decision waiting on it, fall behind.
 */
public final class CoalescedListener implements ClusterView.ChangeListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoalescedListener.class);

    private final ClusterView.ChangeListener inner;
    private final long intervalMillis;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong latest = new AtomicLong();

    public CoalescedListener(ClusterView.ChangeListener inner, Duration interval, String name) {
        this.inner = inner;
        this.intervalMillis = interval.toMillis();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void onChange(long revision) {
        latest.accumulateAndGet(revision, Math::max);
        if (scheduled.compareAndSet(false, true)) {
            thread.schedule(this::run, intervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void run() {
        scheduled.set(false);
        try {
            inner.onChange(latest.get());
        } catch (RuntimeException e) {
            LOG.warn("view listener failed", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
