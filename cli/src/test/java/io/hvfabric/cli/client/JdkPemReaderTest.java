package io.hvfabric.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.IssuedCertificate;
import io.hvfabric.cli.ca.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdkPemReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsTheFabricCasKeyAndCertificateWithTheJdk() throws Exception {
        IssuedCertificate issued = FabricCa.init(dir).issue("operator", Role.OPERATOR, List.of(), List.of());

        assertThat(JdkPemReader.pkcs8Key(issued.keyFile())).hasValueSatisfying(
                key -> assertThat(key.getAlgorithm()).isEqualTo("EC"));
        X509Certificate[] chain = JdkPemReader.certificates(issued.certificateFile());
        assertThat(chain).hasSize(1);
        assertThat(chain[0].getSubjectX500Principal().getName()).contains("CN=operator");
    }

    @Test
    void keysInOtherFormsAreLeftToNetty() throws Exception {
        Path sec1 = Files.writeString(dir.resolve("sec1.key"),
                "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n");
        Path garbage = Files.writeString(dir.resolve("garbage.key"),
                "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");

        assertThat(JdkPemReader.pkcs8Key(sec1)).isEmpty();
        assertThat(JdkPemReader.pkcs8Key(garbage)).isEmpty();
    }
}
