package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EtcdctlTest {
    @Test
    void presentsTheCertificateAndBoundsEveryWait() {
        CertificateFiles root = new LabCertificates(Path.of("/lab/tls")).files(LabCertificates.ETCD_ROOT);
        Etcdctl etcdctl = new Etcdctl("https://127.0.0.1:2379", root, new CommandRunner());

        assertThat(etcdctl.command("auth", "enable")).containsExactly("etcdctl", "--endpoints", "https://127.0.0.1:2379",
                "--dial-timeout", "2s", "--command-timeout", "5s", "--cacert", "/lab/tls/root/ca.crt",
                "--cert", "/lab/tls/root/root.crt", "--key", "/lab/tls/root/root.key", "auth", "enable");
    }

    @Test
    void plaintextWithoutCertificate() {
        Etcdctl etcdctl = new Etcdctl("http://127.0.0.1:2379", null, new CommandRunner());

        assertThat(etcdctl.command("endpoint", "health")).containsExactly("etcdctl", "--endpoints",
                "http://127.0.0.1:2379", "--dial-timeout", "2s", "--command-timeout", "5s", "endpoint", "health");
    }
}
