package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.PemFiles;
import io.hvfabric.cli.ca.Role;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuTlsAuthzTest {
    @TempDir
    Path tmp;

    @Test
    void theIdentityIsTheSourcesMigrationCertificateDnAsGnutlsPrintsIt() throws Exception {
        X509Certificate cert = PemFiles.readCertificate(FabricCa.init(tmp)
                .issue("host-1", Role.MIGRATION, List.of("10.0.0.1"), List.of()).certificateFile());
        // gnutls_x509_crt_get_dn: the RDNs in encoding order; LdapName lists them that way (index 0 is encoded first).
        String inEncodingOrder = new LdapName(cert.getSubjectX500Principal().getName()).getRdns().stream()
                .map(Rdn::toString).collect(Collectors.joining(","));

        QemuTlsAuthz authz = QemuTlsAuthz.migrationSource("hvf-tls-in-authz", "host-1");

        assertThat(authz.identity()).isEqualTo(inEncodingOrder).isEqualTo("O=hvfabric,OU=migration,CN=host-1");
        assertThat(authz.objectAddArguments()).containsExactly(
                Map.entry("qom-type", "authz-simple"),
                Map.entry("id", "hvf-tls-in-authz"),
                Map.entry("identity", "O=hvfabric,OU=migration,CN=host-1"));
    }

    @Test
    void aSourceHostIdThatIsNoDnsLabelIsRefused() {
        for (String bad : new String[] {"", "Host-1", "host-1,OU=operator", "a=b", "-x"}) {
            assertThatThrownBy(() -> QemuTlsAuthz.migrationSource("hvf-tls-in-authz", bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("source_host_id must name the source host");
        }
    }
}
