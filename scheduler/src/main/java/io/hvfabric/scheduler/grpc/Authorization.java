package io.hvfabric.scheduler.grpc;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.tls.Peer;
import io.hvfabric.common.tls.Roles;

/**
 * What the principal of a call ({@link CallerIdentity}) may do. A service is bound {@link #guarded} by the one role it
 * serves, so every method, present or future, is refused to other roles before its handler runs (and so before
 * anything is stored or forwarded). Agent calls are further bound to the caller's own host ({@link #requireHost}),
 * Kubernetes' node-authorizer rule: a host certificate speaks only for the host it names. {@link Peer#INSECURE}
 * (plaintext labs) may do everything.
 */
final class Authorization {
    private Authorization() {}

    /** {@code service} with the principal resolved and {@code role} required for each of its calls. */
    static ServerServiceDefinition guarded(ServerServiceDefinition service, String role) {
        ServerInterceptor requireRole = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                Peer caller = principal();
                if (!caller.insecure() && !role.equals(caller.role())) {
                    throw FabricException.permissionDenied("%s may not call %s", describe(caller),
                            action(call.getMethodDescriptor()));
                }
                return next.startCall(call, headers);
            }
        };
        // The interceptor listed last runs first: the principal is resolved before the role is checked.
        return ServerInterceptors.intercept(service, requireRole, new CallerIdentity());
    }

    /** The principal, if it is the agent of {@code hostId}; otherwise PERMISSION_DENIED. */
    static Peer requireHost(String hostId) {
        Peer caller = principal();
        if (!caller.insecure() && !(Roles.AGENT.equals(caller.role()) && caller.name().equals(hostId))) {
            throw FabricException.permissionDenied("%s may not act for host '%s'", describe(caller), hostId);
        }
        return caller;
    }

    private static Peer principal() {
        return CallerIdentity.current().orElseThrow(() -> FabricException.permissionDenied(
                "no caller identity for this call (PeerIdentity or CallerIdentity interceptor missing)"));
    }

    private static String describe(Peer caller) {
        return "peer '" + caller.name() + "' (" + (caller.role().isEmpty() ? "no role" : "role " + caller.role())
                + ")";
    }

    /** "OperatorService/CreateVsi": the service without its package, as operators know it. */
    private static String action(MethodDescriptor<?, ?> method) {
        String service = method.getServiceName() == null ? "" : method.getServiceName();
        return service.substring(service.lastIndexOf('.') + 1) + "/" + method.getBareMethodName();
    }
}
