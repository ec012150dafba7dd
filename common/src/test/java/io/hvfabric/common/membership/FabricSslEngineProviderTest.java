package io.hvfabric.common.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.common.tls.TestPki;
import io.hvfabric.common.tls.TlsFiles;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FabricSslEngineProviderTest {
    @TempDir
    static Path dir;

    private static TestPki ca;

    @BeforeAll
    static void createCa() throws Exception {
        ca = TestPki.create("fabric-ca");
    }

    /** A session whose peer presented the certificate {@code ca} issues for {@code cn}/{@code role}; none if null. */
    private static SSLSession sessionOf(String cn, String role) throws Exception {
        Certificate[] chain;
        if (cn == null) {
            chain = null;
        } else {
            TlsFiles files = ca.issue(dir.resolve(cn), cn, cn, role);
            try (InputStream in = Files.newInputStream(files.cert())) {
                chain = new Certificate[] {CertificateFactory.getInstance("X.509").generateCertificate(in)};
            }
        }
        return (SSLSession) Proxy.newProxyInstance(SSLSession.class.getClassLoader(), new Class<?>[] {SSLSession.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getPeerCertificates")) {
                        if (chain == null) {
                            throw new SSLPeerUnverifiedException("peer not authenticated");
                        }
                        return chain;
                    }
                    return null;
                });
    }

    @Test
    void schedulersAndAgentsAreMembers() throws Exception {
        assertThat(FabricSslEngineProvider.memberCertificate(sessionOf("sched-1", "scheduler")).isEmpty()).isTrue();
        assertThat(FabricSslEngineProvider.memberCertificate(sessionOf("host-1", "agent")).isEmpty()).isTrue();
    }

    @Test
    void everyOtherRoleOfTheSameCaIsRefused() throws Exception {
        for (String role : new String[] {"operator", "tenant", "migration", "etcd"}) {
            var refusal = FabricSslEngineProvider.memberCertificate(sessionOf("x-" + role, role));
            assertThat(refusal.isDefined()).as(role).isTrue();
            assertThat(refusal.get().getMessage()).isEqualTo("a cluster member must present a scheduler's or an agent's "
                    + "certificate, not the certificate of 'x-" + role + "' (role " + role + ")");
        }
    }

    @Test
    void aPeerWithoutCertificateIsRefused() throws Exception {
        assertThat(FabricSslEngineProvider.memberCertificate(sessionOf(null, null)).get())
                .isInstanceOf(SSLPeerUnverifiedException.class);
    }

    @Test
    void enginesDemandClientCertificatesAndCheckTheDialedAddress() throws Exception {
        FabricSslEngineProvider provider = new FabricSslEngineProvider(ca.issue(dir.resolve("s1"), "s1", "s1",
                "scheduler"));

        SSLEngine server = provider.createServerSSLEngine("127.0.0.1", 25520);
        SSLEngine client = provider.createClientSSLEngine("127.0.0.1", 25520);

        assertThat(server.getUseClientMode()).isFalse();
        assertThat(server.getNeedClientAuth()).isTrue();
        assertThat(client.getUseClientMode()).isTrue();
        assertThat(client.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(client.getPeerHost()).isEqualTo("127.0.0.1");
        assertThat(server.getEnabledProtocols()).containsExactly("TLSv1.3");
        assertThat(client.getEnabledProtocols()).containsExactly("TLSv1.3");
    }
}
