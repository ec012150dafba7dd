package io.hvfabric.scheduler.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.Revocations;
import io.hvfabric.proto.v1.RevokedCertificate;
import io.hvfabric.proto.v1.Tenant;
import io.hvfabric.scheduler.store.Keys;
import io.hvfabric.scheduler.view.ViewFeed;
import org.junit.jupiter.api.Test;

class AgentRevocationsTest {
    private final ViewFeed feed = new ViewFeed();

    private long revoke(String serial) {
        return feed.put(Keys.Kind.REVOKED, serial, RevokedCertificate.newBuilder().setSerial(serial).build());
    }

    @Test
    void aNewAgentGetsEverySerialAndAnUpToDateOneNone() {
        long first = revoke("5a3f");
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());
        long second = revoke("77");

        assertThat(AgentRevocations.after(feed.view(), 0)).isEqualTo(Revocations.newBuilder()
                .addSerials("5a3f").addSerials("77").setRevision(second).build());
        assertThat(AgentRevocations.after(feed.view(), first)).isEqualTo(Revocations.newBuilder()
                .addSerials("77").setRevision(second).build());
        assertThat(AgentRevocations.after(feed.view(), second)).isEqualTo(Revocations.newBuilder()
                .setRevision(second).build());
    }

    @Test
    void withoutRevocationsThereIsNothingToLearn() {
        feed.put(Keys.Kind.TENANT, "acme", Tenant.newBuilder().setName("acme").build());

        assertThat(AgentRevocations.after(feed.view(), 0)).isEqualTo(Revocations.getDefaultInstance());
    }
}
