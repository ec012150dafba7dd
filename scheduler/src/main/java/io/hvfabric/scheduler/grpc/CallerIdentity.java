package io.hvfabric.scheduler.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.CertificateSerial;
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
 * (the tenant for a tenant's principal, so the leader scopes the call to the same tenant) and the serial of the
 * certificate that caller presented in {@code hvf-principal-serial} (so the leader refuses a revoked one too, even if
 * the follower had not learned of the revocation yet). The headers are believed only from a scheduler certificate;
 * from anyone else they are ignored, so an agent cannot claim to be an operator. A scheduler without them acts as
 * itself (role scheduler, which no service grants anything); a principal without its serial is refused.
 *
 * <p>Runs inside {@link PeerIdentity}; the services install it when they are bound (see {@link Authorization}).
 */
final class CallerIdentity implements ServerInterceptor {
    static final Metadata.Key<String> PRINCIPAL =
            Metadata.Key.of("hvf-principal", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> PRINCIPAL_SERIAL =
            Metadata.Key.of("hvf-principal-serial", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Caller> CALLER = Context.key("hvf-principal");

    /** A principal and the serial of the certificate it authenticated with (empty only on a plaintext fabric). */
    record Caller(Peer principal, Optional<CertificateSerial> serial) {}

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Optional<Peer> peer = PeerIdentity.current();
        if (peer.isEmpty()) {
            return next.startCall(call, headers); // no identity at all: current() stays empty, every check refuses
        }
        Caller caller = resolve(new Caller(peer.get(), PeerIdentity.currentSerial()), headers.get(PRINCIPAL),
                headers.get(PRINCIPAL_SERIAL));
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller), call, headers, next);
    }

    static Caller resolve(Caller tls, String header, String serialHeader) {
        Peer tlsPeer = tls.principal();
        if (header == null || tlsPeer.insecure() || !Roles.SCHEDULER.equals(tlsPeer.role())) {
            return tls;
        }
        String[] parts = header.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw FabricException.permissionDenied("scheduler '%s' forwarded a malformed %s header",
                    tlsPeer.name(), PRINCIPAL.name());
        }
        if (serialHeader == null) {
            throw FabricException.permissionDenied("scheduler '%s' forwarded a principal without its certificate "
                    + "serial (%s)", tlsPeer.name(), PRINCIPAL_SERIAL.name());
        }
        // Never insecure: a forwarded principal is only as good as the certificate that forwarded it.
        Peer principal = Peer.authenticated(decode(parts[1]), decode(parts[0]),
                parts.length == 3 ? decode(parts[2]) : "");
        return new Caller(principal, Optional.of(forwardedSerial(tlsPeer, serialHeader)));
    }

    /** The principal of the current call; empty if the call was not served through this interceptor. */
    static Optional<Peer> current() {
        return currentCaller().map(Caller::principal);
    }

    /** The serial of the principal's certificate; empty on a plaintext fabric or outside this interceptor. */
    static Optional<CertificateSerial> currentSerial() {
        return currentCaller().flatMap(Caller::serial);
    }

    static Optional<Caller> currentCaller() {
        return Optional.ofNullable(CALLER.get());
    }

    /**
     * Names {@code caller} on a call this replica forwards. An insecure principal is not named: on a plaintext
     * fabric the leader lets the call through anyway, and a TLS leader must not learn "insecure" from a header.
     */
    static void forward(Caller caller, Metadata headers) {
        Peer principal = caller.principal();
        if (!principal.insecure()) {
            headers.put(PRINCIPAL, encode(principal.role()) + "/" + encode(principal.name())
                    + (principal.hasTenant() ? "/" + encode(principal.tenant()) : ""));
            caller.serial().ifPresent(serial -> headers.put(PRINCIPAL_SERIAL, serial.hex()));
        }
    }

    /** Replicas send the canonical form ({@link CertificateSerial#hex}); anything else is no serial of theirs. */
    private static CertificateSerial forwardedSerial(Peer scheduler, String header) {
        try {
            return new CertificateSerial(header);
        } catch (IllegalArgumentException e) {
            throw FabricException.permissionDenied("scheduler '%s' forwarded a malformed %s header", scheduler.name(),
                    PRINCIPAL_SERIAL.name());
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
