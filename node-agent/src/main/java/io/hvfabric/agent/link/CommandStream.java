package io.hvfabric.agent.link;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.hvfabric.proto.v1.AgentCommand;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.CommandsRequest;
import io.hvfabric.proto.v1.DesiredState;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the command stream from the scheduler open, reconnecting (to the next replica if need be) whenever it ends.
 * Commands from a term older than the highest seen are dropped: a deposed leader cannot steer this host.
 */
public final class CommandStream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandStream.class);

    private final SchedulerEndpoints endpoints;
    private final String hostId;
    private final TermGuard terms;
    private final Consumer<DesiredState> desiredSink;
    private final Thread thread;
    private volatile boolean closed;
    private volatile ClientCallStreamObserver<CommandsRequest> call;
    private volatile long rejected;

    public CommandStream(SchedulerEndpoints endpoints, String hostId, TermGuard terms,
                         Consumer<DesiredState> desiredSink) {
        this.endpoints = endpoints;
        this.hostId = hostId;
        this.terms = terms;
        this.desiredSink = desiredSink;
        this.thread = new Thread(this::run, "command-stream");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Commands dropped because they carried an old term. */
    public long rejected() {
        return rejected;
    }

    /** Applies one command if its term is current. Public so the term rule can be tested on its own. */
    public boolean accept(AgentCommand command) {
        if (!terms.admit(command.getTerm())) {
            rejected++;
            LOG.warn("ignoring command from term {} (highest seen {}) sent by {}", command.getTerm(),
                    terms.highest(), command.getLeader());
            return false;
        }
        if (command.hasDesired()) {
            desiredSink.accept(command.getDesired());
        }
        return true;
    }

    private void run() {
        while (!closed) {
            ManagedChannel channel = endpoints.current();
            CountDownLatch ended = new CountDownLatch(1);
            boolean[] failed = {false};
            AgentServiceGrpc.newStub(channel).commands(CommandsRequest.newBuilder().setHostId(hostId).build(),
                    new ClientResponseObserver<CommandsRequest, AgentCommand>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<CommandsRequest> requestStream) {
                            call = requestStream;
                        }

                        @Override
                        public void onNext(AgentCommand command) {
                            accept(command);
                        }

                        @Override
                        public void onError(Throwable t) {
                            failed[0] = true;
                            if (!closed) {
                                LOG.warn("command stream from {} ended: {}", endpoints.currentAddress(), t.toString());
                            }
                            ended.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            ended.countDown();
                        }
                    });
            try {
                ended.await();
                if (failed[0]) {
                    endpoints.failover(channel);
                }
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        ClientCallStreamObserver<CommandsRequest> c = call;
        if (c != null) {
            c.cancel("agent stopping", null);
        }
        thread.interrupt();
    }
}
