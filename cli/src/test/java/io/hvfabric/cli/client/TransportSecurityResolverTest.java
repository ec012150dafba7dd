package io.hvfabric.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.cli.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransportSecurityResolverTest {
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        for (String name : new String[] {"ca.crt", "operator.crt", "operator.key", "other.crt"}) {
            Files.writeString(dir.resolve(name), "x");
        }
    }

    @Test
    void directoryFlagNamesTheThreeFiles() {
        assertThat(resolve(new TlsOptions(null, null, null, dir, false), Map.of())).isEqualTo(
                new TransportSecurity.MutualTls(dir.resolve("ca.crt"), dir.resolve("operator.crt"), dir.resolve("operator.key")));
    }

    @Test
    void fileFlagBeatsDirectoryAndEnvironment() {
        TransportSecurity security = resolve(new TlsOptions(null, dir.resolve("other.crt"), null, null, false),
                Map.of("HVCTL_TLS_DIR", dir.toString()));

        assertThat(security).isEqualTo(
                new TransportSecurity.MutualTls(dir.resolve("ca.crt"), dir.resolve("other.crt"), dir.resolve("operator.key")));
    }

    @Test
    void environmentFilesAndDirectory() {
        assertThat(resolve(new TlsOptions(null, null, null, null, false), Map.of("HVCTL_TLS_DIR", dir.toString())))
                .isInstanceOf(TransportSecurity.MutualTls.class);
        assertThat(resolve(new TlsOptions(null, null, null, null, false), Map.of(
                        "HVCTL_TLS_CA", dir.resolve("ca.crt").toString(),
                        "HVCTL_TLS_CERT", dir.resolve("operator.crt").toString(),
                        "HVCTL_TLS_KEY", dir.resolve("operator.key").toString())))
                .isInstanceOf(TransportSecurity.MutualTls.class);
    }

    @Test
    void insecureOnlyWhenAskedAndBeatsTheEnvironment() {
        assertThat(resolve(new TlsOptions(null, null, null, null, true), Map.of("HVCTL_TLS_DIR", dir.toString())))
                .isInstanceOf(TransportSecurity.Plaintext.class);
        assertThatThrownBy(() -> resolve(new TlsOptions(null, null, null, null, false), Map.of()))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageStartingWith("no TLS material");
    }

    @Test
    void partialMaterialNamesWhatIsMissing() {
        assertThatThrownBy(() -> resolve(new TlsOptions(dir.resolve("ca.crt"), null, null, null, false), Map.of()))
                .hasMessage("incomplete TLS material: --tls-cert, --tls-key missing (mutual TLS needs the CA, a client certificate and its key)");
    }

    private static TransportSecurity resolve(TlsOptions options, Map<String, String> env) {
        return TransportSecurityResolver.resolve(options, env);
    }
}
