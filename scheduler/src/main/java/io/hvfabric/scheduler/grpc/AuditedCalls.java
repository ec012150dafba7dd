package io.hvfabric.scheduler.grpc;

import io.grpc.MethodDescriptor;
import io.hvfabric.proto.v1.DrainHostRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.RebalanceRequest;
import io.hvfabric.scheduler.revocation.RevocationRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The OperatorService methods the audit log records: those that change something, and ExecVsi (a command in a guest
 * is a root shell there), each with the request field that names its object. Dry runs change nothing and are not
 * recorded; a call refused before its request was read is, with no object. A method added to the service is not
 * recorded until it is listed here (AuditedCallsTest fails until every method is either listed or known as a read).
 */
final class AuditedCalls {
    /** A listed method's object, or empty when this particular request changes nothing. */
    private static final Map<String, Function<Object, Optional<String>>> OBJECTS = new HashMap<>();

    static {
        add(OperatorServiceGrpc.getCreateVsiMethod(), r -> r.getSpec().getName());
        add(OperatorServiceGrpc.getStartVsiMethod(), r -> r.getName());
        add(OperatorServiceGrpc.getStopVsiMethod(), r -> r.getName());
        add(OperatorServiceGrpc.getDeleteVsiMethod(), r -> r.getName());
        add(OperatorServiceGrpc.getExecVsiMethod(), r -> r.getName());
        add(OperatorServiceGrpc.getMigrateVsiMethod(), r -> r.getName());
        add(OperatorServiceGrpc.getCancelMigrationMethod(), r -> r.getId());
        add(OperatorServiceGrpc.getCordonHostMethod(), r -> r.getId());
        add(OperatorServiceGrpc.getUncordonHostMethod(), r -> r.getId());
        addUnlessDryRun(OperatorServiceGrpc.getDrainHostMethod(), DrainHostRequest::getDryRun, r -> r.getHost());
        add(OperatorServiceGrpc.getPauseDrainMethod(), r -> r.getHost());
        add(OperatorServiceGrpc.getResumeDrainMethod(), r -> r.getHost());
        add(OperatorServiceGrpc.getCancelDrainMethod(), r -> r.getHost());
        addUnlessDryRun(OperatorServiceGrpc.getRebalanceMethod(), RebalanceRequest::getDryRun, r -> "");
        add(OperatorServiceGrpc.getRegisterImageMethod(), r -> r.getName());
        add(OperatorServiceGrpc.getCreateTenantMethod(), r -> r.getTenant().getName());
        add(OperatorServiceGrpc.getDeleteTenantMethod(), r -> r.getName());
        add(OperatorServiceGrpc.getCreateNetworkMethod(), r -> tenantObject(r.getNetwork().getTenant(),
                r.getNetwork().getName()));
        add(OperatorServiceGrpc.getDeleteNetworkMethod(), r -> tenantObject(r.getTenant(), r.getName()));
        add(OperatorServiceGrpc.getCreateVolumeMethod(), r -> tenantObject(r.getVolume().getTenant(),
                r.getVolume().getName()));
        add(OperatorServiceGrpc.getDeleteVolumeMethod(), r -> tenantObject(r.getTenant(), r.getName()));
        add(OperatorServiceGrpc.getResizeVolumeMethod(), r -> tenantObject(r.getVolume().getTenant(),
                r.getVolume().getName()));
        add(OperatorServiceGrpc.getRevokeCertificateMethod(), RevocationRequest::serialNamed);
    }

    private AuditedCalls() {}

    static boolean covers(MethodDescriptor<?, ?> method) {
        return OBJECTS.containsKey(method.getFullMethodName());
    }

    /** The object {@code request} names; empty if it changes nothing (a dry run). Only for {@link #covers} methods. */
    static Optional<String> objectOf(MethodDescriptor<?, ?> method, Object request) {
        return OBJECTS.get(method.getFullMethodName()).apply(request);
    }

    /** "tenant/name" as the request names it, or the bare name when it leaves the tenant to the principal. */
    private static String tenantObject(String tenant, String name) {
        return tenant.isEmpty() ? name : tenant + "/" + name;
    }

    private static <Q> void add(MethodDescriptor<Q, ?> method, Function<Q, String> object) {
        addUnlessDryRun(method, request -> false, object);
    }

    @SuppressWarnings("unchecked")
    private static <Q> void addUnlessDryRun(MethodDescriptor<Q, ?> method, Predicate<Q> dryRun,
                                            Function<Q, String> object) {
        OBJECTS.put(method.getFullMethodName(), request -> dryRun.test((Q) request)
                ? Optional.empty() : Optional.of(object.apply((Q) request)));
    }
}
