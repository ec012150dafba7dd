package io.hvfabric.scheduler.migrate;

import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.hvfabric.proto.v1.MigrationProgress;
import io.hvfabric.proto.v1.NodeServiceGrpc;
import io.hvfabric.proto.v1.ReceiveMigrationRequest;
import io.hvfabric.proto.v1.SendMigrationRequest;
import io.hvfabric.proto.v1.TargetEvent;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The two long-lived calls of a migration, as pollable sessions. A call that breaks (its agent died, the network
 * failed) is reported as {@link Session#broken()}; cancelling a call tells the agent to stop its role.
 */
final class AgentStreams {
    private AgentStreams() {}

    /** One streaming call's messages and fate. */
    static final class Session<Req, T> implements ClientResponseObserver<Req, T> {
        private final BlockingQueue<T> messages = new LinkedBlockingQueue<>();
        private volatile ClientCallStreamObserver<Req> call;
        private volatile boolean ended;
        private volatile Throwable error;

        @Override
        public void beforeStart(ClientCallStreamObserver<Req> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(T value) {
            messages.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            ended = true;
        }

        @Override
        public void onCompleted() {
            ended = true;
        }

        T poll(long millis) throws InterruptedException {
            return messages.poll(millis, TimeUnit.MILLISECONDS);
        }

        /** Ended with an error (not by the agent's normal completion) and nothing left to read. */
        boolean broken() {
            return ended && error != null && messages.isEmpty();
        }

        boolean endedNormally() {
            return ended && error == null;
        }

        String errorText() {
            return error == null ? "" : error.getMessage();
        }

        void cancel(String why) {
            ClientCallStreamObserver<Req> c = call;
            if (c != null && !ended) {
                c.cancel(why, null);
            }
        }
    }

    static Session<ReceiveMigrationRequest, TargetEvent> receive(Channel target, ReceiveMigrationRequest request) {
        Session<ReceiveMigrationRequest, TargetEvent> session = new Session<>();
        NodeServiceGrpc.newStub(target).receiveMigration(request, session);
        return session;
    }

    static Session<SendMigrationRequest, MigrationProgress> send(Channel source, SendMigrationRequest request) {
        Session<SendMigrationRequest, MigrationProgress> session = new Session<>();
        NodeServiceGrpc.newStub(source).sendMigration(request, session);
        return session;
    }
}
