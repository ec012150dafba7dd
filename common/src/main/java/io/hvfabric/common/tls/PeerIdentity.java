package io.hvfabric.common.tls;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.hvfabric.common.error.FabricException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Puts the calling {@link Peer} into the gRPC {@link Context} of each call, from the client certificate of the TLS
 * session. A call without a TLS session can only arrive on a plaintext server (mutual-TLS servers reject clients
 * without a certificate during the handshake), so it is given {@link Peer#INSECURE}. A TLS session whose
 * certificate has no CN is refused as UNAUTHENTICATED.
 *
 * <p>Services guard methods with {@link #requireRole(String...)}. The certificate's serial is kept beside the peer
 * ({@link #currentSerial}), for the {@link DenyList}: it names the certificate, where the peer names only its holder.
 */
public final class PeerIdentity implements ServerInterceptor {
    private static final Context.Key<Peer> PEER = Context.key("hvfabric-peer");
    private static final Context.Key<CertificateSerial> SERIAL = Context.key("hvfabric-peer-serial");
    /** GeneralName tag of a uniformResourceIdentifier SAN (RFC 5280). */
    private static final int URI_NAME = 6;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return Contexts.interceptCall(Context.current().withValue(PEER, Peer.INSECURE), call, headers, next);
        }
        Optional<X509Certificate> certificate = certificateOf(session);
        Optional<Peer> fromCert = certificate.flatMap(PeerIdentity::fromCertificate);
        if (fromCert.isEmpty()) {
            call.close(Status.UNAUTHENTICATED.withDescription("client certificate has no common name"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Context context = Context.current().withValues(PEER, fromCert.get(),
                SERIAL, CertificateSerial.of(certificate.get()));
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** The peer of the current call, if the call went through this interceptor. */
    public static Optional<Peer> current() {
        return Optional.ofNullable(PEER.get());
    }

    /** The serial of the current call's client certificate; empty on plaintext or outside this interceptor. */
    public static Optional<CertificateSerial> currentSerial() {
        return Optional.ofNullable(SERIAL.get());
    }

    /**
     * Returns the current peer if its role is one of {@code roles} (or it is {@link Peer#INSECURE}); otherwise
     * throws PERMISSION_DENIED. Fails closed when no identity was established.
     */
    public static Peer requireRole(String... roles) {
        Peer peer = PEER.get();
        if (peer == null) {
            throw FabricException.permissionDenied("no peer identity for this call (PeerIdentity interceptor missing)");
        }
        if (peer.insecure()) {
            return peer;
        }
        List<String> allowed = Arrays.asList(roles);
        if (!allowed.contains(peer.role())) {
            throw FabricException.permissionDenied(
                    "peer '%s' has role '%s'; this call requires one of %s", peer.name(), peer.role(), allowed);
        }
        return peer;
    }

    private static Optional<X509Certificate> certificateOf(SSLSession session) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
            return Optional.empty();
        }
        return Optional.of((X509Certificate) chain[0]);
    }

    /**
     * CN and first OU of the subject; the role is empty when the certificate carries no OU. A tenant certificate's
     * tenant comes from its {@link TenantUri} SAN; none, or two naming different tenants, leaves it empty, which no
     * check lets act as a tenant.
     */
    public static Optional<Peer> fromCertificate(X509Certificate cert) {
        String cn = null;
        String ou = null;
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (cn == null && rdn.getType().equalsIgnoreCase("CN")) {
                    cn = String.valueOf(rdn.getValue());
                } else if (ou == null && rdn.getType().equalsIgnoreCase("OU")) {
                    ou = String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        if (cn == null || cn.isBlank()) {
            return Optional.empty();
        }
        String role = ou == null ? "" : ou;
        String tenant = Roles.TENANT.equals(role) ? tenantOf(cert, cn) : "";
        return Optional.of(Peer.authenticated(cn, role, tenant));
    }

    private static String tenantOf(X509Certificate cert, String user) {
        Set<String> tenants = new HashSet<>();
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (name.size() == 2 && Integer.valueOf(URI_NAME).equals(name.get(0))) {
                        TenantUri.tenantOf(String.valueOf(name.get(1)), user).ifPresent(tenants::add);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return "";
        }
        return tenants.size() == 1 ? tenants.iterator().next() : "";
    }
}
