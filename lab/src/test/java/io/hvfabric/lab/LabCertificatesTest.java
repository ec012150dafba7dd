package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.cli.ca.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabCertificatesTest {
    @TempDir
    Path tls;

    @Test
    void everyProcessGetsADirectoryWithItsOwnKeysOnlyAndTheCaKeyStaysInItsOwn() throws IOException {
        LabCertificates certs = new LabCertificates(tls);
        certs.initCa();
        certs.issueScheduler("sched-1", "10.88.1.1");
        certs.issueAgent("host-1", "10.88.1.11");
        certs.issueEtcd();

        assertThat(names(tls)).containsExactlyInAnyOrder("ca", "operator", "sched-1", "host-1", "etcd", "root");
        assertThat(names(tls.resolve("ca"))).containsExactlyInAnyOrder("ca.crt", "ca.key");
        assertThat(names(tls.resolve("host-1"))).containsExactlyInAnyOrder("ca.crt", "host-1.crt", "host-1.key",
                "host-1-migration.crt", "host-1-migration.key");
        assertThat(names(tls.resolve("sched-1"))).containsExactlyInAnyOrder("ca.crt", "sched-1.crt", "sched-1.key");
        assertThat(names(tls.resolve("operator"))).containsExactlyInAnyOrder("ca.crt", "operator.crt",
                "operator.key");
        for (String dir : names(tls)) {
            assertThat(Files.getPosixFilePermissions(tls.resolve(dir))).as(dir)
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        }
        assertThat(Files.readString(tls.resolve("host-1/ca.crt"))).isEqualTo(Files.readString(tls.resolve("ca/ca.crt")));
    }

    @Test
    void clientsIssuedLaterLoadTheCaFromItsDirectoryAndGetTheirOwn() throws IOException {
        new LabCertificates(tls).initCa();

        LabCertificates later = new LabCertificates(tls);
        later.issueTenant("alice", "acme");
        later.issueClient("host-2", Role.AGENT);

        assertThat(names(tls.resolve("alice"))).containsExactlyInAnyOrder("ca.crt", "alice.crt", "alice.key");
        assertThat(names(tls.resolve("host-2"))).containsExactlyInAnyOrder("ca.crt", "host-2.crt", "host-2.key");
        assertThat(names(tls.resolve("ca"))).containsExactlyInAnyOrder("ca.crt", "ca.key");
        assertThat(later.files("alice").key()).isEqualTo(tls.resolve("alice/alice.key"));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }
}
