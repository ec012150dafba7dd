package io.hvfabric.scheduler.grpc;

import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * etcd's leases, through its own gRPC API: jetcd grants only ids of etcd's choosing and cannot list leases
 * (LeaseLeases, etcd 3.3+), and a grant or revoke moves no store revision, so a snapshot must list them.
 */
final class EtcdLeases {
    /** LeaseLeases, read without generated classes: response field 2 is the repeated LeaseStatus, its field 1 the id. */
    private static final MethodDescriptor<byte[], byte[]> LEASE_LEASES = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("etcdserverpb.Lease/LeaseLeases")
            .setRequestMarshaller(new Bytes())
            .setResponseMarshaller(new Bytes())
            .build();

    private final Channel channel;

    EtcdLeases(Channel channel) {
        this.channel = channel;
    }

    Set<Long> all() throws IOException {
        byte[] response = ClientCalls.blockingUnaryCall(channel, LEASE_LEASES,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]);
        Set<Long> ids = new HashSet<>();
        UnknownFieldSet.Field statuses = UnknownFieldSet.parseFrom(response).getField(2);
        for (var status : statuses.getLengthDelimitedList()) {
            ids.addAll(UnknownFieldSet.parseFrom(status).getField(1).getVarintList());
        }
        return ids;
    }

    void grant(long id, long ttlSeconds) {
        stub().leaseGrant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttlSeconds).build());
    }

    void revoke(long id) {
        stub().leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build());
    }

    private LeaseGrpc.LeaseBlockingStub stub() {
        return LeaseGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
