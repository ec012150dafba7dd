package io.hvfabric.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.hvfabric.cli.CliException;
import java.net.ConnectException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {
    @Test
    void codeInWordsThenDescription() {
        CliException e = GrpcErrors.toCliException(Status.NOT_FOUND.withDescription("host 'h9' does not exist").asRuntimeException());

        assertThat(e.getMessage()).isEqualTo("not found: host 'h9' does not exist");
        assertThat(e.exitCode()).isEqualTo(1);
    }

    @Test
    void invalidArgumentIsAUsageError() {
        assertThat(GrpcErrors.toCliException(Status.INVALID_ARGUMENT.withDescription("spec.vcpus: must be positive")
                .asRuntimeException()).exitCode()).isEqualTo(2);
    }

    @Test
    void pipelineDumpsAreDroppedAndTheRootCauseKept() {
        Status status = Status.UNAVAILABLE.withDescription("io exception\nChannel Pipeline: [SslHandler#0]")
                .withCause(new RuntimeException(new ConnectException("Connection refused")));

        assertThat(GrpcErrors.detail(status)).isEqualTo("io exception: Connection refused");
    }

    @Test
    void tlsFailuresAreNamed() {
        Status status = Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new SSLHandshakeException("PKIX path building failed"));

        assertThat(GrpcErrors.detail(status)).isEqualTo("TLS handshake failed: PKIX path building failed");
    }

    @Test
    void descriptionsAlreadyNamingTheCodeAreNotRepeated() {
        CliException e = GrpcErrors.toCliException(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after 0.2s")
                .asRuntimeException());

        assertThat(e.getMessage()).isEqualTo("deadline exceeded after 0.2s");
    }
}
