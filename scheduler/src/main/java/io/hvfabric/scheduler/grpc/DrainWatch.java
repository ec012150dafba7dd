package io.hvfabric.scheduler.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.hvfabric.proto.v1.Drain;
import io.hvfabric.scheduler.maintenance.DrainPhases;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;

/** Streams a drain each time its record changes, with the live progress of its running migrations. */
final class DrainWatch implements ClusterView.ChangeListener {
    private final ClusterView view;
    private final String host;
    private final ServerCallStreamObserver<Drain> stream;
    private Drain last;
    private boolean done;

    DrainWatch(ClusterView view, String host, ServerCallStreamObserver<Drain> stream) {
        this.view = view;
        this.host = host;
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
        var current = view.drain(host).map(Versioned::value);
        if (current.isEmpty()) {
            finish();
            return;
        }
        Drain drain = current.get();
        if (!drain.equals(last)) {
            last = drain;
            stream.onNext(drain);
        }
        if (DrainPhases.isTerminal(drain.getPhase())) {
            finish();
        }
    }

    private void finish() {
        done = true;
        view.removeListener(this);
        stream.onCompleted();
    }
}
