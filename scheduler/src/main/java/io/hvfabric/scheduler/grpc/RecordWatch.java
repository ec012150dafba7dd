package io.hvfabric.scheduler.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.hvfabric.scheduler.view.ClusterView;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Streams one record from the view each time it changes (VSI, migration, drain). The stream ends when the record
 * disappears or reaches a terminal state, or when the client cancels.
 */
final class RecordWatch<T> implements ClusterView.ChangeListener {
    private final ClusterView view;
    private final Supplier<Optional<T>> lookup;
    private final Predicate<T> terminal;
    private final ServerCallStreamObserver<T> stream;
    private T last;
    private boolean done;

    RecordWatch(ClusterView view, Supplier<Optional<T>> lookup, Predicate<T> terminal,
                ServerCallStreamObserver<T> stream) {
        this.view = view;
        this.lookup = lookup;
        this.terminal = terminal;
        this.stream = stream;
    }

    void start() {
        stream.setOnCancelHandler(() -> view.removeListener(this));
        view.addListener(this);
        onChange(view.revision());
    }

    @Override
    public synchronized void onChange(long revision) {
        if (done || stream.isCancelled()) {
            return;
        }
        Optional<T> current = lookup.get();
        if (current.isEmpty()) {
            finish();
            return;
        }
        if (!current.get().equals(last)) {
            last = current.get();
            stream.onNext(last);
        }
        if (terminal.test(last)) {
            finish();
        }
    }

    private void finish() {
        done = true;
        view.removeListener(this);
        stream.onCompleted();
    }
}
