package io.hvfabric.scheduler.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.scheduler.store.Versioned;
import io.hvfabric.scheduler.view.ClusterView;
import io.hvfabric.scheduler.vsi.VsiOperations;

/** Streams a VSI each time its record changes; ends the stream when the VSI is deleted. */
final class VsiWatch implements ClusterView.ChangeListener {
    private final ClusterView view;
    private final String name;
    private final ServerCallStreamObserver<Vsi> stream;
    private long lastRevision = -1;
    private boolean done;

    VsiWatch(ClusterView view, String name, ServerCallStreamObserver<Vsi> stream) {
        this.view = view;
        this.name = name;
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
        var current = view.vsi(name);
        if (current.isEmpty()) {
            done = true;
            view.removeListener(this);
            stream.onCompleted();
            return;
        }
        Versioned<io.hvfabric.proto.v1.VsiRecord> v = current.get();
        if (v.modRevision() != lastRevision) {
            lastRevision = v.modRevision();
            stream.onNext(VsiOperations.toVsi(v.value(), v.modRevision()));
        }
    }
}
