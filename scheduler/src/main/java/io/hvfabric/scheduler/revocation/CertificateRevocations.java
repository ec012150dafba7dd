package io.hvfabric.scheduler.revocation;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.proto.v1.RevokeCertificateRequest;
import io.hvfabric.proto.v1.RevokeCertificateResponse;
import io.hvfabric.proto.v1.RevokedCertificate;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.store.RecordCodec;
import io.hvfabric.scheduler.view.ClusterView;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Writes the deny list: one key per revoked certificate, {@code {prefix}/revoked/<serial>}, put only if absent, so
 * the first revocation's record stays and a second one answers it ({@code already_revoked}). Committed by the replica
 * that received the call, without a term: an insert-if-absent cannot conflict with the leader's writes, and revoking
 * a stolen key must not wait for an election. The call returns once this replica's view holds the entry, so this
 * replica refuses the certificate from then on; the others follow through their watch.
 */
public final class CertificateRevocations {
    private static final long ETCD_TIMEOUT_SECONDS = 10;
    private static final long VIEW_WAIT_MS = 5000;

    private final KV kv;
    private final Keys keys;
    private final ClusterView view;
    private final String replica;
    private final Clock clock;

    public CertificateRevocations(KV kv, Keys keys, ClusterView view, String replica, Clock clock) {
        this.kv = kv;
        this.keys = keys;
        this.view = view;
        this.replica = replica;
        this.clock = clock;
    }

    /** Revokes what {@code request} names, for {@code by}; INVALID_ARGUMENT (nothing stored) if it names nothing. */
    public RevokeCertificateResponse revoke(RevokeCertificateRequest request, Peer by) {
        RevocationRequest asked = RevocationRequest.of(request);
        RevokedCertificate record = asked.record(by, clock.instant(), replica);
        ByteSequence key = keys.of(Keys.Kind.REVOKED, asked.serial().hex());
        TxnResponse response = await(kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(key, RecordCodec.encode(record), PutOption.DEFAULT))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit());
        if (response.isSucceeded()) {
            view.awaitRevision(response.getHeader().getRevision(), VIEW_WAIT_MS);
            return RevokeCertificateResponse.newBuilder().setRevoked(record).build();
        }
        KeyValue first = response.getGetResponses().get(0).getKvs().get(0);
        view.awaitRevision(first.getModRevision(), VIEW_WAIT_MS);
        return RevokeCertificateResponse.newBuilder()
                .setRevoked(RecordCodec.decode(first.getValue(), RevokedCertificate.getDefaultInstance()))
                .setAlreadyRevoked(true)
                .build();
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(ETCD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw FabricException.unavailable("interrupted while recording the revocation");
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw FabricException.unavailable("the revocation was not recorded (etcd: %s); retry",
                    root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
        }
    }
}
