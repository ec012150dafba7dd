package io.hvfabric.scheduler.grpc;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.hvfabric.common.error.ErrorTranslatingInterceptor;
import io.hvfabric.common.error.Excerpt;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.DenyList;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.common.tls.PeerIdentity;
import io.hvfabric.common.tls.Roles;
import io.hvfabric.common.tls.TenantUri;
import io.hvfabric.proto.v1.NetworkRef;
import io.hvfabric.proto.v1.VolumeRef;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.network.NetworkId;
import io.hvfabric.scheduler.tenants.TenantObjectId;
import io.hvfabric.scheduler.tenants.TenantScope;
import io.hvfabric.scheduler.volume.VolumeId;
import java.util.ArrayList;
import java.util.List;

/**
 * What the principal of a call ({@link CallerIdentity}) may do. A service is bound {@link #guarded} by its
 * {@link CallPolicy}, so every method is refused to roles the policy does not name for it before its handler runs
 * (and so before anything is stored or forwarded). Agent calls are further bound to the caller's own host
 * ({@link #requireHost}), Kubernetes' node-authorizer rule: a host certificate speaks only for the host it names.
 * A tenant's principal is bound to its tenant the same way ({@link #scope}, {@link #ownedSpec}). Before any of that, a
 * revoked certificate ({@link DenyList}) is refused whatever its role: the one the call came on, and on a forwarded
 * call the original caller's too. The check runs as each call starts, so a connection opened before the revocation
 * is refused from its next call on. {@link Peer#INSECURE} (plaintext labs) may do everything.
 */
final class Authorization {
    private Authorization() {}

    /**
     * {@code service} with the principal resolved, certificates on {@code revoked} refused and {@code policy} enforced
     * on each of its calls. {@code observers} (the audit) see every call with its principal and the status it ends
     * with, refusals by the deny list and the policy included.
     */
    static ServerServiceDefinition guarded(ServerServiceDefinition service, CallPolicy policy, DenyList revoked,
                                           ServerInterceptor... observers) {
        ServerInterceptor requireRole = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                Peer caller = principal();
                if (caller.insecure()) {
                    return next.startCall(call, headers);
                }
                revoked.admit(PeerIdentity.currentSerial());
                revoked.admit(CallerIdentity.currentSerial());
                if (!policy.permits(caller.role(), call.getMethodDescriptor())) {
                    throw FabricException.permissionDenied("%s may not call %s", describe(caller),
                            action(call.getMethodDescriptor()));
                }
                if (Roles.TENANT.equals(caller.role()) && !caller.hasTenant()) {
                    throw FabricException.permissionDenied("%s names no tenant (a tenant certificate carries the URI"
                            + " SAN %s)", describe(caller), TenantUri.of("<tenant>", caller.name()));
                }
                return next.startCall(call, headers);
            }
        };
        // The interceptor listed last runs first: the principal is resolved, the observers wrap the call, errors
        // (the deny list's and the role check's refusals too) become the status they see, and only then are the
        // certificates and the role checked.
        List<ServerInterceptor> chain = new ArrayList<>(List.of(requireRole));
        if (observers.length > 0) {
            chain.add(new ErrorTranslatingInterceptor());
            chain.addAll(List.of(observers));
        }
        chain.add(new CallerIdentity());
        return ServerInterceptors.intercept(service, chain);
    }

    /** The principal, if it is the agent of {@code hostId}; otherwise PERMISSION_DENIED. */
    static Peer requireHost(String hostId) {
        Peer caller = principal();
        if (!caller.insecure() && !(Roles.AGENT.equals(caller.role()) && caller.name().equals(hostId))) {
            throw FabricException.permissionDenied("%s may not act for host '%s'", describe(caller),
                    Excerpt.of(hostId));
        }
        return caller;
    }

    /** The VSIs the principal may see: its tenant's for a tenant's principal; every VSI for anyone else admitted. */
    static TenantScope scope() {
        Peer caller = principal();
        return !caller.insecure() && Roles.TENANT.equals(caller.role())
                ? TenantScope.of(caller.tenant()) : TenantScope.all();
    }

    /**
     * The spec of a create as the principal may ask for it. A tenant's principal creates in its own tenant only:
     * the tenant is filled in when left out, another tenant is PERMISSION_DENIED, and choosing the host (an
     * operator's placement decision, and a way to probe host names) is refused. Operators pass as they are.
     */
    static VsiSpec ownedSpec(VsiSpec requested) {
        TenantScope scope = scope();
        if (!scope.isTenant()) {
            return requested;
        }
        String own = scope.tenant().orElseThrow();
        if (!requested.getTenant().isEmpty() && !requested.getTenant().equals(own)) {
            throw FabricException.permissionDenied("%s may not create VSIs in tenant '%s'", describe(principal()),
                    Excerpt.of(requested.getTenant()));
        }
        denyTenant("choose the host of a VSI", !requested.getHost().isEmpty());
        return requested.toBuilder().setTenant(own).build();
    }

    /**
     * The tenant a create or listing of a tenant's objects (networks, volumes) acts in: a tenant's principal its own
     * (when it names none, too), and another one is PERMISSION_DENIED; an operator the one it names (none: the
     * operators' own, "system").
     */
    static String actingTenant(String requested, String what) {
        TenantScope scope = scope();
        if (!scope.isTenant()) {
            return requested;
        }
        String own = scope.tenant().orElseThrow();
        if (!requested.isEmpty() && !requested.equals(own)) {
            throw FabricException.permissionDenied("%s may not %s in tenant '%s'", describe(principal()), what,
                    Excerpt.of(requested));
        }
        return own;
    }

    /**
     * The tenant's object {@code kind} named by {@code tenant} and {@code name}, as the principal may see it: a
     * tenant's principal sees its tenant's only, and another tenant's is NOT_FOUND, worded exactly as a missing one.
     */
    static TenantObjectId tenantObject(String kind, String tenant, String name) {
        TenantScope scope = scope();
        if (!scope.isTenant()) {
            return new TenantObjectId(kind, tenant, name);
        }
        String own = scope.tenant().orElseThrow();
        TenantObjectId named = new TenantObjectId(kind, tenant.isEmpty() ? own : tenant, name);
        if (!named.tenant().equals(own)) {
            throw named.notFound();
        }
        return named;
    }

    /** The network {@code ref} names, as the principal may see it ({@link #tenantObject}). */
    static NetworkId network(NetworkRef ref) {
        TenantObjectId id = tenantObject("network", ref.getTenant(), ref.getName());
        return new NetworkId(id.tenant(), id.name());
    }

    /** The volume {@code ref} names, as the principal may see it ({@link #tenantObject}). */
    static VolumeId volume(VolumeRef ref) {
        TenantObjectId id = tenantObject("volume", ref.getTenant(), ref.getName());
        return new VolumeId(id.tenant(), id.name());
    }

    /** PERMISSION_DENIED for a tenant's principal asking for {@code what} (when {@code asked}), an operator's right. */
    static void denyTenant(String what, boolean asked) {
        if (asked && scope().isTenant()) {
            throw FabricException.permissionDenied("%s may not %s", describe(principal()), what);
        }
    }

    private static Peer principal() {
        return CallerIdentity.current().orElseThrow(() -> FabricException.permissionDenied(
                "no caller identity for this call (PeerIdentity or CallerIdentity interceptor missing)"));
    }

    private static String describe(Peer caller) {
        String role = caller.role().isEmpty() ? "no role" : "role " + caller.role();
        String tenant = caller.hasTenant() ? ", tenant '" + caller.tenant() + "'" : "";
        return "peer '" + caller.name() + "' (" + role + tenant + ")";
    }

    /** "OperatorService/CreateVsi": the service without its package, as operators know it. */
    private static String action(MethodDescriptor<?, ?> method) {
        String service = method.getServiceName() == null ? "" : method.getServiceName();
        return service.substring(service.lastIndexOf('.') + 1) + "/" + method.getBareMethodName();
    }
}
