package io.hvfabric.scheduler.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.options.GetOption;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.proto.v1.RevokeCertificateRequest;
import io.hvfabric.proto.v1.RevokeCertificateResponse;
import io.hvfabric.scheduler.audit.EtcdPerClass;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ClusterView;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deny list against a real etcd, written by one replica and watched by another: the replica that committed a
 * revocation refuses the certificate as the call returns, another within the stated bound of one second, a replica
 * starting later reads it with its snapshot; a second revocation changes nothing, and a bad request stores nothing.
 */
@Timeout(60)
class CertificateRevocationsIT {
    private static final Duration REPLICA_BOUND = Duration.ofSeconds(1);
    private static final Peer ALICE = Peer.authenticated("alice", "operator");
    private static final Peer BOB = Peer.authenticated("bob", "operator");

    @RegisterExtension
    static final EtcdPerClass ETCD = new EtcdPerClass();
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private Keys keys;
    private ClusterView sched1;
    private ClusterView sched2;
    private CertificateRevocations revocations;

    /** Two replicas' views under a prefix of this test's own; sched-1 takes the calls. */
    @BeforeEach
    void replicas() throws Exception {
        keys = EtcdPerClass.freshKeys();
        sched1 = startedView();
        sched2 = startedView();
        revocations = new CertificateRevocations(ETCD.client().getKVClient(), keys, sched1, "sched-1", Clock.systemUTC());
    }

    @AfterEach
    void closeViews() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    private ClusterView startedView() throws Exception {
        ClusterView view = new ClusterView(ETCD.client(), keys);
        view.start();
        opened.push(view);
        return view;
    }

    @Test
    void theCommittingReplicaRefusesAtOnceAndAnotherWithinTheBound() throws Exception {
        CertificateSerial serial = new CertificateSerial("5a3f09");

        RevokeCertificateResponse answer = revocations.revoke(RevokeCertificateRequest.newBuilder()
                .setSerial("5A:3F:09").setReason("laptop stolen").build(), ALICE);
        long returned = System.nanoTime();

        assertThat(sched1.isRevoked(serial)).as("the committing replica, as the call returns").isTrue();
        while (!sched2.isRevoked(serial)) {
            assertThat(Duration.ofNanos(System.nanoTime() - returned)).as("sched-2 learning of it")
                    .isLessThan(REPLICA_BOUND);
            Thread.sleep(5);
        }
        assertThat(answer.getAlreadyRevoked()).isFalse();
        assertThat(answer.getRevoked().getSerial()).isEqualTo("5a3f09");
        assertThat(answer.getRevoked().getRevokedBy().getName()).isEqualTo("alice");
        assertThat(answer.getRevoked().getReason()).isEqualTo("laptop stolen");
        assertThat(answer.getRevoked().getReplica()).isEqualTo("sched-1");
        assertThat(sched2.revokedCertificate(serial).orElseThrow().value()).isEqualTo(answer.getRevoked());
        assertThat(startedView().isRevoked(serial)).as("a replica starting later, from its snapshot").isTrue();
    }

    @Test
    void revokingAgainChangesNothingAndAnswersTheFirstRecord() throws Exception {
        RevokeCertificateResponse first = revocations.revoke(RevokeCertificateRequest.newBuilder()
                .setSerial("77").setReason("first").build(), ALICE);
        long revision = sched1.revokedCertificate(new CertificateSerial("77")).orElseThrow().modRevision();

        RevokeCertificateResponse again = revocations.revoke(RevokeCertificateRequest.newBuilder()
                .setSerial("00:77").setReason("second").build(), BOB);

        assertThat(again.getAlreadyRevoked()).isTrue();
        assertThat(again.getRevoked()).isEqualTo(first.getRevoked());
        assertThat(sched1.revokedCertificate(new CertificateSerial("77")).orElseThrow().modRevision())
                .as("not rewritten").isEqualTo(revision);
        assertThat(sched1.revokedCertificates()).hasSize(1);
    }

    @Test
    void aRequestNamingNoCertificateStoresNothing() throws Exception {
        assertThatThrownBy(() -> revocations.revoke(RevokeCertificateRequest.newBuilder().setSerial("zz").build(),
                ALICE)).isInstanceOfSatisfying(FabricException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> revocations.revoke(RevokeCertificateRequest.newBuilder().setSerial("77")
                .setReason("a\u0007").build(), ALICE)).isInstanceOfSatisfying(FabricException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));

        assertThat(ETCD.client().getKVClient().get(keys.dir(Keys.Kind.REVOKED), GetOption.builder()
                .isPrefix(true).build()).get(10, TimeUnit.SECONDS).getKvs()).isEmpty();
    }
}
