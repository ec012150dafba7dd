package io.hvfabric.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.HostPort;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.scheduler.placement.runtime.PlacementConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerConfigTest {
    @TempDir
    Path dir;

    private Path ca;
    private Path cert;
    private Path key;

    @BeforeEach
    void pemFiles() throws Exception {
        ca = Files.writeString(dir.resolve("ca.crt"), "ca");
        cert = Files.writeString(dir.resolve("sched-1.crt"), "cert");
        key = Files.writeString(dir.resolve("sched-1.key"), "key");
    }

    @Test
    void httpsEndpointsWithTheThreeFilesAreAccepted() {
        Optional<TlsFiles> tls = SchedulerConfig.etcdTls(ca, cert, key);

        SchedulerConfig config = config(List.of("https://127.0.0.1:2379", "https://10.0.0.2:2379"), tls);

        assertThat(config.etcdTls()).contains(new TlsFiles(ca, cert, key));
    }

    @Test
    void httpEndpointsWithoutFilesArePlaintext() {
        assertThat(config(List.of("http://127.0.0.1:2379"), SchedulerConfig.etcdTls(null, null, null)).etcdTls())
                .isEmpty();
    }

    @Test
    void anHttpsEndpointWithoutFilesNamesTheFlags() {
        assertThatThrownBy(() -> config(List.of("https://127.0.0.1:2379"), Optional.empty()))
                .isInstanceOf(FabricException.class)
                .hasMessage("field '--etcd-ca': https etcd endpoints (got 'https://127.0.0.1:2379') need --etcd-ca,"
                        + " --etcd-cert and --etcd-key");
    }

    @Test
    void filesWithAPlaintextEndpointAreRefused() {
        Optional<TlsFiles> tls = SchedulerConfig.etcdTls(ca, cert, key);

        assertThatThrownBy(() -> config(List.of("https://127.0.0.1:2379", "http://10.0.0.2:2379"), tls))
                .isInstanceOf(FabricException.class)
                .hasMessage("field '--etcd': with --etcd-ca, --etcd-cert and --etcd-key every endpoint must be"
                        + " https:// (got 'http://10.0.0.2:2379')");
    }

    @Test
    void aMissingFlagIsNamed() {
        assertThatThrownBy(() -> SchedulerConfig.etcdTls(ca, null, key))
                .isInstanceOf(FabricException.class)
                .hasMessage("field '--etcd-cert': --etcd-ca, --etcd-cert and --etcd-key go together: all three or none");
        assertThatThrownBy(() -> SchedulerConfig.etcdTls(null, cert, key))
                .isInstanceOf(FabricException.class).hasMessageStartingWith("field '--etcd-ca': ");
        assertThatThrownBy(() -> SchedulerConfig.etcdTls(ca, cert, null))
                .isInstanceOf(FabricException.class).hasMessageStartingWith("field '--etcd-key': ");
    }

    @Test
    void anUnreadableFileIsNamedWithItsFlag() {
        Path absent = dir.resolve("absent.key");

        assertThatThrownBy(() -> SchedulerConfig.etcdTls(ca, cert, absent))
                .isInstanceOf(FabricException.class)
                .hasMessage("field '--etcd-key': file " + absent + " does not exist or is not readable");
        assertThatThrownBy(() -> SchedulerConfig.etcdTls(dir, cert, key))
                .isInstanceOf(FabricException.class).hasMessageStartingWith("field '--etcd-ca': file " + dir);
    }

    @Test
    void anEndpointThatIsNoUrlIsRefused() {
        assertThatThrownBy(() -> config(List.of("127.0.0.1:2379"), Optional.empty()))
                .isInstanceOf(FabricException.class)
                .hasMessage("field '--etcd': endpoints are URLs like https://host:2379 (got '127.0.0.1:2379')");
    }

    private static SchedulerConfig config(List<String> etcd, Optional<TlsFiles> etcdTls) {
        HostPort listen = new HostPort("127.0.0.1", 5000);
        HostPort pekko = new HostPort("127.0.0.1", 5002);
        return new SchedulerConfig("sched-1", listen, listen, etcd, etcdTls, "/hvf/v1", new HostPort("127.0.0.1", 5001),
                pekko, List.of(pekko), Optional.empty(), Duration.ofSeconds(3), Duration.ofSeconds(8),
                PlacementConfig.DEFAULT, Path.of("/var/cache/hvfabric/images"), Duration.ZERO, 0.1, 0);
    }
}
