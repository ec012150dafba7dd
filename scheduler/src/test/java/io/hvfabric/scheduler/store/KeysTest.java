package io.hvfabric.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeysTest {
    private final Keys keys = new Keys("/hvf/v1");

    @Test
    void roundTripsEveryKind() {
        for (Keys.Kind kind : Keys.Kind.values()) {
            Keys.Parsed parsed = keys.parse(keys.of(kind, "thing-1"));
            assertThat(parsed).isEqualTo(new Keys.Parsed(kind, "thing-1"));
        }
    }

    @Test
    void ignoresKeysOutsideThePrefixOrOfUnknownKinds() {
        assertThat(keys.parse(Keys.bytes("/other/hosts/h1"))).isNull();
        assertThat(keys.parse(Keys.bytes("/hvf/v1/unknown/h1"))).isNull();
        assertThat(keys.parse(Keys.bytes("/hvf/v1/hosts"))).isNull();
    }

    @Test
    void electionKeysLiveUnderTheLeaderDirectory() {
        String name = keys.electionName().toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(keys.parse(Keys.bytes(name + "/694d7f3a")).kind()).isEqualTo(Keys.Kind.LEADER);
    }
}
