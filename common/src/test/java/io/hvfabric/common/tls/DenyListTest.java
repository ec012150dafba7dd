package io.hvfabric.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DenyListTest {
    private static final CertificateSerial REVOKED = new CertificateSerial("5a3f");
    private final DenyList list = Set.of(REVOKED)::contains;

    @Test
    void aListedSerialIsUnauthenticatedInOneLineNamingIt() {
        assertThatThrownBy(() -> list.admit(Optional.of(REVOKED))).isInstanceOfSatisfying(FabricException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            assertThat(e.getMessage()).isEqualTo("certificate serial 5a3f is revoked");
        });
    }

    @Test
    void anotherSerialOrNoneAtAllPasses() {
        assertThatCode(() -> list.admit(Optional.of(new CertificateSerial("5a3e")))).doesNotThrowAnyException();
        assertThatCode(() -> list.admit(Optional.empty())).doesNotThrowAnyException();
        assertThatCode(() -> DenyList.EMPTY.admit(Optional.of(REVOKED))).doesNotThrowAnyException();
    }
}
