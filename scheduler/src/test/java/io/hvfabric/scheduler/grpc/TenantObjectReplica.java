package io.hvfabric.scheduler.grpc;

import io.etcd.jetcd.ByteSequence;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.scheduler.leader.Term;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ViewFeed;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A leading replica for the tests of tenant-owned objects (networks, volumes): the real OperatorServiceImpl behind
 * the production interceptors, its writes decided over {@code feed}, tenants acme and beta recorded, and stubs for
 * alice (a principal of acme) and an operator. Close it after each test.
 */
final class TenantObjectReplica implements AutoCloseable {
    static final Term TERM = new Term("sched-1", "127.0.0.1:7001",
            ByteSequence.from("/hvf/v1/leader/sched-1", StandardCharsets.UTF_8), 7);

    private final ViewFeed feed;
    private final Function<Forwarding, OperatorServiceImpl.Writes> writes;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** {@code writes} builds the replica's write side from its forwarding (the operations under test, the rest null). */
    TenantObjectReplica(ViewFeed feed, Function<Forwarding, OperatorServiceImpl.Writes> writes) {
        this.feed = feed;
        this.writes = writes;
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());
        feed.put(Keys.Kind.TENANT, "beta", Tenant.newBuilder().setName("beta").build());
    }

    OperatorServiceGrpc.OperatorServiceBlockingStub calledBy(CertifiedCaller caller) throws Exception {
        Forwarding forwarding = new Forwarding("sched-1", () -> Optional.of(TERM), Optional::empty, address -> {
            throw new AssertionError("the leader forwards nothing");
        });
        OperatorServiceImpl operator = new OperatorServiceImpl(feed.view(), "sched-1", List.of(),
                (kind, id) -> "reachable", List::of, writes.apply(forwarding));
        ServedReplica replica = new ServedReplica(caller, operator);
        opened.push(replica);
        return OperatorServiceGrpc.newBlockingStub(replica.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    OperatorServiceGrpc.OperatorServiceBlockingStub alice() throws Exception {
        return calledBy(CertifiedCaller.tenant("alice", "acme"));
    }

    OperatorServiceGrpc.OperatorServiceBlockingStub operator() throws Exception {
        return calledBy(CertifiedCaller.withSubject("CN=operator,OU=operator"));
    }

    /** The status a refused call ends with; fails the test when the call succeeds. */
    static Status statusOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
        throw new AssertionError("the call succeeded");
    }

    @Override
    public void close() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }
}
