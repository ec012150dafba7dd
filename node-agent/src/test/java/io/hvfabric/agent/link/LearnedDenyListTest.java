package io.hvfabric.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.common.tls.CertificateSerial;
import io.hvfabric.proto.v1.Revocations;
import org.junit.jupiter.api.Test;

class LearnedDenyListTest {
    private final LearnedDenyList list = new LearnedDenyList();

    @Test
    void serialsAddUpAndTheRevisionOnlyGrows() {
        list.learn(Revocations.newBuilder().addSerials("5a3f").addSerials("77").setRevision(12).build());
        list.learn(Revocations.newBuilder().setRevision(8).build());

        assertThat(list.contains(new CertificateSerial("5a3f"))).isTrue();
        assertThat(list.contains(new CertificateSerial("77"))).isTrue();
        assertThat(list.revision()).isEqualTo(12);
    }

    @Test
    void nothingIsRevokedBeforeTheFirstAnswer() {
        assertThat(list.contains(new CertificateSerial("5a3f"))).isFalse();
        assertThat(list.revision()).isZero();
    }

    @Test
    void aSerialThatIsNoCanonicalHexIsSkippedAndTheRestLearned() {
        list.learn(Revocations.newBuilder().addSerials("5A3F").addSerials("").addSerials("77").setRevision(3).build());

        assertThat(list.contains(new CertificateSerial("77"))).isTrue();
        assertThat(list.contains(new CertificateSerial("5a3f"))).isFalse();
        assertThat(list.revision()).isEqualTo(3);
    }
}
