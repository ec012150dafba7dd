package io.hvfabric.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class CertificateSerialTest {
    @Test
    void everyWayAnOperatorTypesASerialNamesTheSameCertificate() {
        CertificateSerial serial = CertificateSerial.of(new BigInteger("5a3f09", 16));

        assertThat(serial.hex()).isEqualTo("5a3f09");
        assertThat(CertificateSerial.parse("serial", "5A3F09")).isEqualTo(serial);
        assertThat(CertificateSerial.parse("serial", "5a:3f:09")).isEqualTo(serial);
        assertThat(CertificateSerial.parse("serial", "00:5A:3F:09")).isEqualTo(serial);
        assertThat(CertificateSerial.parse("serial", " 5a3f09\n")).isEqualTo(serial);
    }

    @Test
    void aNegativeSerialKeepsItsSign() {
        assertThat(CertificateSerial.of(BigInteger.valueOf(-255)).hex()).isEqualTo("-ff");
        assertThat(CertificateSerial.of(BigInteger.valueOf(-255))).isNotEqualTo(CertificateSerial.of(BigInteger.valueOf(255)));
    }

    @Test
    void whatIsNoSerialIsRefusedNamingTheFieldAndTheRule() {
        String rule = "field 'serial': must be the serial number in hex: 1-40 hex digits, optionally with colons "
                + "between bytes as openssl prints them";
        assertInvalid("", rule + " (got '')");
        assertInvalid("0x5a", rule + " (got '0x5a')");
        assertInvalid("5a::3f", rule + " (got '5a::3f')");
        assertInvalid(":5a", rule + " (got ':5a')");
        assertInvalid("-5a", rule + " (got '-5a')");
        assertInvalid("a".repeat(41), rule + " (got '" + "a".repeat(41) + "')");
        assertThat(CertificateSerial.parse("serial", "f".repeat(40)).hex()).hasSize(40);
    }

    @Test
    void onlyCanonicalHexMakesASerialDirectly() {
        assertThatThrownBy(() -> new CertificateSerial("5A")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CertificateSerial("05a")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new CertificateSerial("0").hex()).isEqualTo("0");
    }

    private static void assertInvalid(String typed, String message) {
        assertThatThrownBy(() -> CertificateSerial.parse("serial", typed))
                .isInstanceOfSatisfying(FabricException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }
}
