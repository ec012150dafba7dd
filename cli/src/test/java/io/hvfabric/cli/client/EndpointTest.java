package io.hvfabric.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.cli.CliException;
import org.junit.jupiter.api.Test;

class EndpointTest {
    @Test
    void parsesHostsAndIpv6Literals() {
        assertThat(Endpoint.parse("10.0.0.1:7000")).isEqualTo(new Endpoint("10.0.0.1", 7000));
        assertThat(Endpoint.parse("[::1]:7000")).isEqualTo(new Endpoint("::1", 7000));
        assertThat(Endpoint.parse("[::1]:7000").toString()).isEqualTo("[::1]:7000");
        assertThat(Endpoint.parseList("a:1, b:2")).containsExactly(new Endpoint("a", 1), new Endpoint("b", 2));
    }

    @Test
    void rejectsMalformedEndpointsAsUsageErrors() {
        for (String bad : new String[] {"a", "a:", ":7000", "a:b", "::1:7000", "a:0", "a b:1"}) {
            assertThatThrownBy(() -> Endpoint.parse(bad)).as(bad).isInstanceOfSatisfying(CliException.class,
                    e -> assertThat(e.exitCode()).isEqualTo(2));
        }
        assertThatThrownBy(() -> Endpoint.parseList("a:1,,b:2")).hasMessageContaining("empty endpoint");
    }
}
