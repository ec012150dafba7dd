package io.hvfabric.common.membership;

import com.typesafe.config.Config;
import io.hvfabric.common.tls.JsseTls;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.common.tls.PeerIdentity;
import io.hvfabric.common.tls.Roles;
import io.hvfabric.common.tls.TlsFiles;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * TLS for the fabric's Pekko remoting (Artery {@code tls-tcp}) from the PEM files the process already has, so no
 * outsider can join the membership or read its gossip. Both ends present their certificate and trust only the
 * fabric CA (mutual authentication); the dialing end checks the address it dialed against the other's IP and DNS
 * SANs, as gRPC clients do (the lab's certificates name each component's address); and each end accepts only a
 * scheduler's or an agent's certificate, so an operator, tenant, etcd or migration certificate of the same CA cannot
 * join either.
 *
 * <p>Not Pekko's {@code RotatingKeysSSLEngineProvider}: it reads PEM too, but loads only RSA keys (pekko-pki 1.x)
 * while fabric keys are EC P-256, and its peer check wants a subject name shared by every member, which fabric
 * certificates (CN = the member's own id) do not have. Files are read when the actor system starts, so a member that
 * rejoins picks up renewed certificates.
 */
public final class FabricSslEngineProvider implements SSLEngineProvider {
    /** Where {@link PekkoClusterConfig} puts the PEM paths: {@code ca-file}, {@code cert-file}, {@code key-file}. */
    static final String CONFIG_PATH = "pekko.remote.artery.ssl.hvfabric";
    private static final Set<String> MEMBER_ROLES = Set.of(Roles.SCHEDULER, Roles.AGENT);
    private static final Logger LOG = LoggerFactory.getLogger(FabricSslEngineProvider.class);

    private final SSLContext context;

    /** Pekko's constructor (named by {@code pekko.remote.artery.ssl.ssl-engine-provider}). */
    public FabricSslEngineProvider(ActorSystem system) {
        this(filesFrom(system.settings().config().getConfig(CONFIG_PATH)));
    }

    FabricSslEngineProvider(TlsFiles files) {
        this.context = JsseTls.context(files);
    }

    private static TlsFiles filesFrom(Config config) {
        return new TlsFiles(Path.of(config.getString("ca-file")), Path.of(config.getString("cert-file")),
                Path.of(config.getString("key-file")));
    }

    @Override
    public SSLEngine createServerSSLEngine(String hostname, int port) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(true);
        engine.setEnabledProtocols(new String[] {JsseTls.PROTOCOL});
        return engine;
    }

    @Override
    public SSLEngine createClientSSLEngine(String hostname, int port) {
        SSLEngine engine = context.createSSLEngine(hostname, port);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the dialed address must be in the peer's SANs
        parameters.setProtocols(new String[] {JsseTls.PROTOCOL});
        engine.setSSLParameters(parameters);
        return engine;
    }

    @Override
    public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
        return memberCertificate(session);
    }

    @Override
    public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
        return memberCertificate(session);
    }

    /** Empty if the peer's certificate is a scheduler's or an agent's, else why not. */
    static Option<Throwable> memberCertificate(SSLSession session) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return Option.apply(e);
        }
        Optional<Peer> peer = chain.length > 0 && chain[0] instanceof X509Certificate x509
                ? PeerIdentity.fromCertificate(x509) : Optional.empty();
        if (peer.isPresent() && MEMBER_ROLES.contains(peer.get().role())) {
            return Option.empty();
        }
        String who = peer.map(p -> "'" + p.name() + "' (role " + (p.role().isEmpty() ? "none" : p.role()) + ")")
                .orElse("without a fabric identity");
        String refusal = "a cluster member must present a scheduler's or an agent's certificate, not the certificate of "
                + who;
        LOG.warn("refused a Pekko remoting connection: {}", refusal); // Pekko itself reports only a failed stream
        return Option.apply(new SSLException(refusal));
    }
}
