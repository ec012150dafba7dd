package io.hvfabric.cli.command;

import com.google.protobuf.Timestamp;
import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.options.Since;
import io.hvfabric.cli.output.AuditViews;
import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.proto.v1.ListAuditRequest;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", description = "Show the audit log: every call that changed something or ran a command in a "
        + "guest, refused ones too, oldest first (operators only).")
final class AuditCommand extends ClientCommand {
    static final int MAX_LIMIT = 1000;

    @Option(names = "--since", paramLabel = "DURATION|TIMESTAMP",
            description = "Only calls received since then: a duration back from now (30m, 2h, 7d) or a timestamp "
                    + "(2025-01-31T12:00:00Z). Default: the whole log.")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "At most N records, the newest (1..1000, default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    void validate() {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw CliException.usage("--limit: must be 1.." + MAX_LIMIT + ", got " + limit);
        }
        if (since != null) {
            Since.resolve("--since", since, Instant.EPOCH); // the format only; resolved against the clock below
        }
    }

    @Override
    int execute(SchedulerClient client, Printer printer) {
        ListAuditRequest.Builder request = ListAuditRequest.newBuilder().setLimit(limit);
        if (since != null) {
            Instant from = Since.resolve("--since", since, context().clock().instant());
            request.setSince(Timestamp.newBuilder().setSeconds(from.getEpochSecond())
                    .setNanos(from.getNano()));
        }
        List<AuditRecord> records = client.call(stub -> stub.listAudit(request.build())).getRecordsList();
        printer.array(records, () -> AuditViews.list(records));
        return 0;
    }
}
