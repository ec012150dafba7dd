package io.hvfabric.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.etcd.jetcd.ByteSequence;
import io.hvfabric.proto.v1.HostAllocation;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Resources;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The on-disk format stays JSON, and the decode cache returns what parsing would. */
class RecordCodecTest {
    private static final VsiRecord VSI = VsiRecord.newBuilder()
            .setSpec(VsiSpec.newBuilder().setName("web-1").setVcpus(2).setMemoryMib(1024).setImage("default"))
            .setHost("h1").setDesired("RUNNING").setState(Vsi.State.SCHEDULED)
            .setCreatedAt(Timestamp.newBuilder().setSeconds(1_700_000_000).setNanos(5000)).build();

    @Test
    void recordsAreStoredAsOneLineOfJson() {
        String json = RecordCodec.encode(VSI).toString(StandardCharsets.UTF_8);
        assertThat(json).startsWith("{").doesNotContain("\n").contains("\"name\":\"web-1\"")
                .contains("\"createdAt\":\"2023-11-14T22:13:20.000005Z\"");
    }

    @Test
    void decodingWhatWasEncodedGivesAnEqualRecordWhetherCachedOrParsed() {
        ByteString bytes = RecordCodec.encodeBytes(VSI);
        assertThat(RecordCodec.decode(bytes, VsiRecord.getDefaultInstance())).isEqualTo(VSI);
        // A fresh copy of the same bytes, as the watch delivers them, and bytes never encoded here: both parse.
        assertThat(RecordCodec.decode(ByteSequence.from(bytes.toByteArray()), VsiRecord.getDefaultInstance()))
                .isEqualTo(VSI);
        HostRecord host = HostRecord.newBuilder().setId("h1").putLabels("zone", "a")
                .setCapacity(Resources.newBuilder().setVcpus(8)).build();
        ByteSequence external = ByteSequence.from(
                "{\"id\":\"h1\",\"capacity\":{\"vcpus\":8},\"labels\":{\"zone\":\"a\"},\"unknown\":1}",
                StandardCharsets.UTF_8);
        assertThat(RecordCodec.decode(external, HostRecord.getDefaultInstance())).isEqualTo(host);
        assertThat(RecordCodec.decode(external, HostRecord.getDefaultInstance())).isEqualTo(host);
    }

    @Test
    void theSameBytesDecodedAsAnotherTypeAreParsedAsThatType() {
        ByteString bytes = RecordCodec.encodeBytes(HostAllocation.newBuilder().addVsis("web-1").build());
        assertThat(RecordCodec.decode(bytes, HostAllocation.getDefaultInstance()).getVsisList()).containsExactly("web-1");
        assertThat(RecordCodec.decode(bytes, VsiRecord.getDefaultInstance())).isEqualTo(VsiRecord.getDefaultInstance());
    }
}
