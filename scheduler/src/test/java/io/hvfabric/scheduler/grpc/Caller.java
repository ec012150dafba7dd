package io.hvfabric.scheduler.grpc;

import io.grpc.MethodDescriptor;
import io.hvfabric.common.tls.Roles;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import java.util.Optional;

/** Who calls in a fuzzed request: each presents its certificate, so the real interceptors derive the principal. */
enum Caller {
    OPERATOR(Roles.OPERATOR, "ops"),
    /** alice, a principal of tenant acme: acme's VSIs are hers, beta's and the operators' are not. */
    TENANT_ACME(Roles.TENANT, "alice"),
    AGENT_H1(Roles.AGENT, "h1"),
    AGENT_H2(Roles.AGENT, "h2");

    private final String role;
    private final String name;

    Caller(String role, String name) {
        this.role = role;
        this.name = name;
    }

    CertifiedCaller certificate() throws Exception {
        return this == TENANT_ACME ? CertifiedCaller.tenant(name, "acme")
                : CertifiedCaller.withSubject("CN=" + name + ",OU=" + role);
    }

    /**
     * Whether the role alone decides PERMISSION_DENIED for this call: true when it must be denied, false when it
     * must not be, empty when the request decides (a tenant's create in another tenant, an agent's host id).
     */
    Optional<Boolean> deniedByRole(MethodDescriptor<?, ?> method, String agentHostId) {
        if (method.getServiceName().equals(AgentServiceGrpc.SERVICE_NAME)) {
            return Optional.of(!role.equals(Roles.AGENT) || !name.equals(agentHostId));
        }
        if (method.getServiceName().equals(OperatorServiceGrpc.SERVICE_NAME)) {
            if (role.equals(Roles.OPERATOR)) {
                return Optional.of(false);
            }
            if (!OperatorServiceImpl.ACCESS.permits(role, method)) {
                return Optional.of(true);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return role + " " + name;
    }
}
