package io.hvfabric.scheduler.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.hvfabric.migration.MigrationPhases;
import io.hvfabric.migration.MigrationStateMachine;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;

/** Streams a migration each time its record changes; ends the stream once it reaches a terminal phase. */
final class MigrationWatch implements ClusterView.ChangeListener {
    private final ClusterView view;
    private final String id;
    private final ServerCallStreamObserver<Migration> stream;
    private long lastRevision = -1;
    private boolean done;

    MigrationWatch(ClusterView view, String id, ServerCallStreamObserver<Migration> stream) {
        this.view = view;
        this.id = id;
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
        var current = view.migration(id);
        if (current.isEmpty()) {
            finish();
            return;
        }
        Versioned<Migration> v = current.get();
        if (v.modRevision() != lastRevision) {
            lastRevision = v.modRevision();
            stream.onNext(v.value());
        }
        if (MigrationPhases.isTerminal(v.value().getPhase())) {
            finish();
        }
    }

    private void finish() {
        done = true;
        view.removeListener(this);
        stream.onCompleted();
    }
}
