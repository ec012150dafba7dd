package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.AuditPrincipal;
import io.hvfabric.proto.v1.AuditRecord;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The audit log as a table, oldest call first. */
public final class AuditViews {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private AuditViews() {}

    public static String list(List<AuditRecord> records) {
        Table table = new Table("TIME", "PRINCIPAL", "METHOD", "OBJECT", "RESULT");
        for (AuditRecord r : records) {
            table.row(TIME.format(Instant.ofEpochSecond(r.getTime().getSeconds(), r.getTime().getNanos())),
                    principal(r.getPrincipal()), r.getMethod(), r.getObject(), result(r));
        }
        return table.render();
    }

    /** "operator/alice", "tenant/bob@acme"; "-" for a caller without identity. */
    static String principal(AuditPrincipal p) {
        if (p.getRole().isEmpty() && p.getName().isEmpty()) {
            return "-";
        }
        return p.getRole() + "/" + p.getName() + (p.getTenant().isEmpty() ? "" : "@" + p.getTenant());
    }

    /** "OK", or the code and the message: "PERMISSION_DENIED: peer 'host-1' (role agent) may not ...". */
    static String result(AuditRecord r) {
        return r.getMessage().isEmpty() ? r.getCode() : r.getCode() + ": " + r.getMessage();
    }
}
