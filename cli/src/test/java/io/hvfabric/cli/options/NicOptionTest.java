package io.hvfabric.cli.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.cli.CliException;
import io.hvfabric.proto.v1.NicSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NicOptionTest {
    @Test
    void takesTheNetworkAloneOrWithAnAddressAndABandwidthInAnyOrder() {
        assertThat(NicOption.parse("network=web")).isEqualTo(NicSpec.newBuilder().setNetwork("web").build());
        assertThat(NicOption.parse("mbps=250,ip=10.0.0.7,network=db")).isEqualTo(
                NicSpec.newBuilder().setNetwork("db").setIp("10.0.0.7").setMbps(250).build());
        assertThat(NicOption.parse(" network = web , mbps = 0 ")).isEqualTo(
                NicSpec.newBuilder().setNetwork("web").build());
    }

    @Test
    void keepsTheOrderOfTheOptions() {
        assertThat(NicOption.parseAll(List.of("network=a", "network=b"))).extracting(NicSpec::getNetwork)
                .containsExactly("a", "b");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "network=web,foo=1|--nic: unknown key 'foo'; expected network, ip, mbps",
        "net=web|--nic: unknown key 'net'; expected network, ip, mbps",
        "network=web,mbps=fast|--nic: mbps must be a whole number, got 'fast'",
        "network=web,mbps=1.5|--nic: mbps must be a whole number, got '1.5'",
        "network=web,mbps=-1|--nic: mbps must be a whole number, got '-1'",
        "ip=10.0.0.5|--nic: network is required (network=NAME[,ip=A][,mbps=N])",
        "network=web,ip=10.0.0.300|--nic: ip must be an IPv4 address like 10.0.0.5, got '10.0.0.300'",
        "network=web,network=db|--nic: network given twice",
        "network=|--nic: network must not be empty",
        "web|--nic: 'web' is not KEY=VALUE; expected network, ip, mbps",
        "network=web,|--nic: '' is not KEY=VALUE; expected network, ip, mbps",
    })
    void namesTheKeyAMistakeIsIn(String value, String message) {
        assertThatThrownBy(() -> NicOption.parse(value)).isInstanceOfSatisfying(CliException.class,
                e -> assertThat(e.exitCode()).isEqualTo(CliException.USAGE)).hasMessage(message);
    }

    @Test
    void anEmptyValueNamesTheSyntax() {
        assertThatThrownBy(() -> NicOption.parse("")).isInstanceOf(CliException.class)
                .hasMessage("--nic: must not be empty; expected network=NAME[,ip=A][,mbps=N]");
    }
}
