package io.hvfabric.scheduler.vsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.hvfabric.common.error.ErrorCode;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.ExecVsiRequest;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class ExecRequestsTest {
    private static ExecVsiRequest.Builder request(String... argv) {
        ExecVsiRequest.Builder b = ExecVsiRequest.newBuilder().setName("web-1");
        for (String a : argv) {
            b.addCommand(a);
        }
        return b;
    }

    private static void assertInvalid(ExecVsiRequest.Builder request, String field, String rule) {
        assertThatThrownBy(() -> ExecRequests.validated(request.build()))
                .isInstanceOfSatisfying(FabricException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.field()).contains(field);
                    assertThat(e.getMessage()).contains(rule);
                });
    }

    @Test
    void noTimeoutMeansTenSecondsAndEverythingElseIsKept() {
        ExecVsiRequest valid = ExecRequests.validated(request("/bin/echo", "hi").setStdin(ByteString.copyFromUtf8("x"))
                .build());

        assertThat(valid.getTimeoutMs()).isEqualTo(10_000);
        assertThat(valid.getCommandList()).containsExactly("/bin/echo", "hi");
        assertThat(valid.getStdin().toStringUtf8()).isEqualTo("x");
        assertThat(ExecRequests.validated(request("/bin/true").setTimeoutMs(300_000).build()).getTimeoutMs())
                .isEqualTo(300_000);
    }

    @Test
    void theTimeoutIsBoundedAndNamed() {
        assertInvalid(request("/bin/true").setTimeoutMs(300_001), "timeout_ms", "at most 300000");
        assertInvalid(request("/bin/true").setTimeoutMs(-1), "timeout_ms", "must not be negative");
    }

    @Test
    void theCommandMustBeAReasonableArgv() {
        assertInvalid(request(), "command", "must name a program");
        assertInvalid(request(""), "command", "argv[0]");
        assertInvalid(request(Collections.nCopies(257, "a").toArray(String[]::new)), "command", "at most 256 arguments");
        assertInvalid(request("/bin/echo", "a\0b"), "command", "argv[1] must not contain a NUL byte");
        assertInvalid(request("/bin/echo", "x".repeat(4097)), "command", "argv[1] must be at most 4096 bytes");
        ExecRequests.validated(request("/bin/echo", "x".repeat(4096)).build());
        ExecRequests.validated(request(Collections.nCopies(256, "a").toArray(String[]::new)).build());
    }

    @Test
    void stdinAndNameAreChecked() {
        assertInvalid(request("/bin/cat").setStdin(ByteString.copyFrom(new byte[64 * 1024 + 1])), "stdin",
                "at most 65536 bytes");
        ExecRequests.validated(request("/bin/cat").setStdin(ByteString.copyFrom(new byte[64 * 1024])).build());
        assertInvalid(request("/bin/true").setName(""), "name", "must not be empty");
    }
}
