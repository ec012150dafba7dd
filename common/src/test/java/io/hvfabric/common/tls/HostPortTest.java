package io.hvfabric.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {
    @Test
    void parsesHostnamesIpv4AndBracketedIpv6() {
        assertThat(HostPort.parse("--scheduler", "sched-1:7443")).isEqualTo(new HostPort("sched-1", 7443));
        assertThat(HostPort.parse("--scheduler", " 10.0.0.5:25520 ")).isEqualTo(new HostPort("10.0.0.5", 25520));
        HostPort v6 = HostPort.parse("--scheduler", "[::1]:9000");
        assertThat(v6).isEqualTo(new HostPort("::1", 9000));
        assertThat(v6.toString()).isEqualTo("[::1]:9000");
    }

    @Test
    void errorsNameTheFlagAndTheRule() {
        assertThatThrownBy(() -> HostPort.parse("--scheduler", "sched-1"))
                .hasMessage("field '--scheduler': must be host:port (got 'sched-1')");
        assertThatThrownBy(() -> HostPort.parse("--scheduler", "sched-1:http"))
                .hasMessage("field '--scheduler': port must be a number (got 'http')");
        assertThatThrownBy(() -> HostPort.parse("--scheduler", "sched-1:0"))
                .hasMessage("field '--scheduler': port must be between 1 and 65535 (got 0)");
        assertThatThrownBy(() -> HostPort.parse("--scheduler", "::1:9000"))
                .hasMessage("field '--scheduler': must be host:port (got '::1:9000')");
        assertThatThrownBy(() -> HostPort.parse("--scheduler", ""))
                .hasMessage("field '--scheduler': must be host:port (got an empty value)");
    }
}
