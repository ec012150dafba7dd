package io.hvfabric.scheduler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.hvfabric.common.error.Excerpt;
import io.hvfabric.common.error.StatusDescriptions;
import io.hvfabric.proto.v1.AgentServiceGrpc;
import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.proto.v1.CommandsRequest;
import io.hvfabric.proto.v1.GetClusterStatusRequest;
import io.hvfabric.proto.v1.ListHostsRequest;
import io.hvfabric.proto.v1.ListImagesRequest;
import io.hvfabric.proto.v1.ListMigrationsRequest;
import io.hvfabric.proto.v1.ListTenantsRequest;
import io.hvfabric.proto.v1.ListVsisRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes one fuzzed call on the {@link FabricUnderTest} and judges it. Every answer: never INTERNAL or UNKNOWN (nor
 * any code outside {@link #FITTING}); PERMISSION_DENIED exactly where the caller's role decides it; a refusal's
 * message at most 1 KiB, free of control characters, repeating no more than an {@link Excerpt} of any input, and for
 * INVALID_ARGUMENT naming a field the request has. The audit log gains one bounded record for each audited call,
 * refusals included (by design), and none for any other. A refused call stores nothing (the whole keyspace, its
 * revision and the leases are as before); a read stores nothing whatever its outcome; an accepted change leaves a
 * store the fabric can still read back.
 */
final class Probe {
    private static final Set<Status.Code> FITTING = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
            Status.Code.ALREADY_EXISTS, Status.Code.FAILED_PRECONDITION, Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.PERMISSION_DENIED);
    /** An audit record is a principal, a method, an object and a 200-character message: well within this. */
    private static final int MAX_AUDIT_RECORD_BYTES = 1024;
    private static final Pattern FIELD = Pattern.compile("field '([^']*)': .*", Pattern.DOTALL);

    private final FabricUnderTest fabric;

    Probe(FabricUnderTest fabric) {
        this.fabric = fabric;
    }

    /** A call that may change state; returns its status code, for the property's statistics. */
    <Q extends Message> String change(MethodDescriptor<Q, ?> method, Fuzzed<Q> call) throws Exception {
        return judged(method, call, false);
    }

    /** A call that must never change state. */
    <Q extends Message> String read(MethodDescriptor<Q, ?> method, Fuzzed<Q> call) throws Exception {
        return judged(method, call, true);
    }

    private <Q extends Message> String judged(MethodDescriptor<Q, ?> method, Fuzzed<Q> call, boolean readOnly)
            throws Exception {
        try {
            StoreSnapshot before = fabric.snapshot();
            int audited = fabric.audit().size();
            Status status = fabric.call(call.caller(), method, call.request());
            StoreSnapshot after = fabric.snapshot();
            boolean deniedByRole = roleDecides(method, call, status);
            if (!status.isOk()) {
                fittingRefusal(method, call, status);
            }
            auditedAsDesigned(method, call, status, deniedByRole,
                    fabric.audit().subList(audited, fabric.audit().size()));
            if (readOnly || !status.isOk()) {
                assertThat(after.changesSince(before)).as("what %s stored on %s", method.getBareMethodName(),
                        status.isOk() ? "success" : status.getCode()).isEmpty();
            } else {
                stillReadable();
            }
            return status.getCode().name();
        } finally {
            fabric.restore();
        }
    }

    /** PERMISSION_DENIED where the caller's role decides it, and only there; whether it was denied so. */
    private static boolean roleDecides(MethodDescriptor<?, ?> method, Fuzzed<?> call, Status status) {
        FieldDescriptor hostId = call.request().getDescriptorForType().findFieldByName("host_id");
        String agentHost = hostId == null ? "" : (String) call.request().getField(hostId);
        Optional<Boolean> denied = call.caller().deniedByRole(method, agentHost);
        denied.ifPresent(must -> assertThat(status.getCode() == Status.Code.PERMISSION_DENIED)
                .as("PERMISSION_DENIED for %s calling %s, got %s", call.caller(), method.getBareMethodName(), status)
                .isEqualTo(must));
        return denied.orElse(false);
    }

    private static void fittingRefusal(MethodDescriptor<?, ?> method, Fuzzed<?> call, Status status) {
        assertThat(status.getCode()).as("%s answered %s", method.getBareMethodName(), status).isIn(FITTING);
        String message = status.getDescription() == null ? "" : status.getDescription();
        assertThat(message.getBytes(StandardCharsets.UTF_8).length).as("bytes of: %s", message)
                .isLessThanOrEqualTo(StatusDescriptions.MAX_BYTES);
        assertThat(message.codePoints().filter(Probe::isControl).boxed().toList())
                .as("control characters in: %s", message).isEmpty();
        for (String input : call.strings()) {
            if (input.length() > Excerpt.MAX) {
                assertThat(message).as("the message repeats more than %d characters of the input", Excerpt.MAX)
                        .doesNotContain(input.substring(0, Excerpt.MAX + 1));
            }
        }
        if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
            Matcher field = FIELD.matcher(message);
            assertThat(field.matches()).as("'field <name>: ...' in: %s", message).isTrue();
            Set<String> names = fieldNames(call.request().getDescriptorForType(), new HashSet<>(), new HashSet<>());
            for (String segment : field.group(1).split("\\.")) {
                assertThat(names).as("field named in: %s", message).contains(segment.replaceAll("\\[\\d+]$", ""));
            }
        }
    }

    /**
     * One record for each audited call, with the code the caller got; none for other calls, nor for a dry run unless
     * the role check refused it (before its request was read, so nobody knows it was one).
     */
    private static <Q extends Message> void auditedAsDesigned(MethodDescriptor<Q, ?> method, Fuzzed<Q> call,
                                                              Status status, boolean refusedUnread,
                                                              List<AuditRecord> written) {
        boolean designed = AuditedCalls.covers(method)
                && (refusedUnread || AuditedCalls.objectOf(method, call.request()).isPresent());
        assertThat(written).as("audit records of %s", method.getBareMethodName()).hasSize(designed ? 1 : 0);
        for (AuditRecord record : written) {
            assertThat(record.getMethod()).isEqualTo(method.getBareMethodName());
            assertThat(record.getCode()).isEqualTo(status.getCode().name());
            assertThat(record.getSerializedSize()).as("bytes of the audit record %s", record.getObject().length() > 80
                    ? "with a " + record.getObject().length() + "-character object" : record)
                    .isLessThanOrEqualTo(MAX_AUDIT_RECORD_BYTES);
        }
    }

    /** After an accepted change, every listing still answers: nothing stored that the fabric cannot read back. */
    private void stillReadable() throws Exception {
        answers(Caller.OPERATOR, OperatorServiceGrpc.getListHostsMethod(), ListHostsRequest.getDefaultInstance());
        answers(Caller.OPERATOR, OperatorServiceGrpc.getListVsisMethod(), ListVsisRequest.getDefaultInstance());
        answers(Caller.OPERATOR, OperatorServiceGrpc.getListMigrationsMethod(),
                ListMigrationsRequest.getDefaultInstance());
        answers(Caller.OPERATOR, OperatorServiceGrpc.getListTenantsMethod(), ListTenantsRequest.getDefaultInstance());
        answers(Caller.OPERATOR, OperatorServiceGrpc.getListImagesMethod(), ListImagesRequest.getDefaultInstance());
        answers(Caller.OPERATOR, OperatorServiceGrpc.getGetClusterStatusMethod(),
                GetClusterStatusRequest.getDefaultInstance());
        answers(Caller.AGENT_H1, AgentServiceGrpc.getCommandsMethod(),
                CommandsRequest.newBuilder().setHostId("h1").build());
    }

    private <Q> void answers(Caller caller, MethodDescriptor<Q, ?> method, Q request) throws Exception {
        Status status = fabric.call(caller, method, request);
        assertThat(status.getCode()).as("%s after an accepted change: %s", method.getBareMethodName(), status)
                .isEqualTo(Status.Code.OK);
    }

    /** C0 and C1 controls and DEL: what a terminal or a log line would interpret. */
    private static boolean isControl(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f);
    }

    /** Every field (and oneof) name anywhere in {@code type}'s message tree. */
    private static Set<String> fieldNames(Descriptor type, Set<String> into, Set<Descriptor> seen) {
        if (seen.add(type)) {
            type.getRealOneofs().forEach(oneof -> into.add(oneof.getName()));
            for (FieldDescriptor field : type.getFields()) {
                into.add(field.getName());
                if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    fieldNames(field.getMessageType(), into, seen);
                }
            }
        }
        return into;
    }
}
