package io.hvfabric.scheduler.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.common.tls.PeerIdentity;
import io.hvfabric.common.tls.Roles;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Who a call acts for: the TLS peer, except on a call a follower forwarded to the leader, which arrives with the
 * follower's scheduler certificate and names the original caller in {@code hvf-principal: <role>/<name>[/<tenant>]}
 * (the tenant for a tenant's principal, so the leader scopes the call to the same tenant). The header
 * is believed only from a scheduler certificate; from anyone else it is ignored, so an agent cannot claim to be an
 * operator. A scheduler without the header acts as itself (role scheduler, which no service grants anything).
 *
 * <p>Runs inside {@link PeerIdentity}; the services install it when they are bound (see {@link Authorization}).
 */
final class CallerIdentity implements ServerInterceptor {
    static final Metadata.Key<String> PRINCIPAL =
            Metadata.Key.of("hvf-principal", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Peer> CALLER = Context.key("hvf-principal");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Optional<Peer> peer = PeerIdentity.current();
        if (peer.isEmpty()) {
            return next.startCall(call, headers); // no identity at all: current() stays empty, every check refuses
        }
        Peer caller = resolve(peer.get(), headers.get(PRINCIPAL));
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers, next);
    }

    static Peer resolve(Peer tlsPeer, String header) {
        if (header == null || tlsPeer.insecure() || !Roles.SCHEDULER.equals(tlsPeer.role())) {
            return tlsPeer;
        }
        String[] parts = header.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw FabricException.permissionDenied("scheduler '%s' forwarded a malformed %s header",
                    tlsPeer.name(), PRINCIPAL.name());
        }
        // Never insecure: a forwarded principal is only as good as the certificate that forwarded it.
        return Peer.authenticated(decode(parts[1]), decode(parts[0]), parts.length == 3 ? decode(parts[2]) : "");
    }

    /** The principal of the current call; empty if the call was not served through this interceptor. */
    static Optional<Peer> current() {
        return Optional.ofNullable(CALLER.get());
    }

    /**
     * Names {@code principal} on a call this replica forwards. An insecure principal is not named: on a plaintext
     * fabric the leader lets the call through anyway, and a TLS leader must not learn "insecure" from a header.
     */
    static void forward(Peer principal, Metadata headers) {
        if (!principal.insecure()) {
            headers.put(PRINCIPAL, encode(principal.role()) + "/" + encode(principal.name())
                    + (principal.hasTenant() ? "/" + encode(principal.tenant()) : ""));
        }
    }

    // Percent-encoding keeps any CN a valid ASCII header value and the '/' separator unambiguous.
    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8);
    }

    private static String decode(String part) {
        try {
            return URLDecoder.decode(part, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw FabricException.permissionDenied("malformed %s header", PRINCIPAL.name());
        }
    }
}
