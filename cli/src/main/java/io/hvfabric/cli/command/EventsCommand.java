package io.hvfabric.cli.command;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.cli.CliException;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.options.Since;
import io.hvfabric.cli.output.EventViews;
import io.hvfabric.cli.output.Json;
import io.hvfabric.cli.output.OutputFormat;
import io.hvfabric.proto.v1.Event;
import io.hvfabric.proto.v1.ListEventsRequest;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "events", description = "Show fabric events, oldest first: host state changes, VSI lifecycle, "
        + "migration phases, drains, rebalance moves, new leaders, refused calls. Tenants see their VSIs' only.")
final class EventsCommand extends ClientCommand {
    static final int MAX_LIMIT = 1000;

    @Option(names = {"-f", "--follow"}, description = "After the events so far, print each new one as it happens, "
            + "until interrupted (or --timeout).")
    boolean follow;

    @Option(names = "--since", paramLabel = "DURATION|TIMESTAMP",
            description = "Only events since then: a duration back from now (30m, 2h, 1d) or a timestamp "
                    + "(2025-01-31T12:00:00Z). Default: all that are kept (24 h unless the scheduler says otherwise).")
    String since;

    @Option(names = "--kind", paramLabel = "KIND",
            description = "Only events of this kind (repeatable), e.g. MIGRATION_PHASE, HOST_DOWN, VSI_CREATED.")
    List<String> kinds = new ArrayList<>();

    @Option(names = "--object", paramLabel = "NAME|KIND/NAME",
            description = "Only events about this object, e.g. web-1 or host/host-2.")
    String object;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "At most N events before following, the newest (1..1000, default: ${DEFAULT-VALUE}).")
    int limit;

    /** The --kind values as the enum; a name that is no kind is a usage error listing the kinds. */
    static List<Event.Kind> kinds(List<String> names) {
        List<Event.Kind> kinds = new ArrayList<>();
        for (String name : names) {
            String upper = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            try {
                Event.Kind kind = Event.Kind.valueOf(upper);
                if (kind == Event.Kind.KIND_UNSPECIFIED || kind == Event.Kind.UNRECOGNIZED) {
                    throw new IllegalArgumentException(upper);
                }
                kinds.add(kind);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--kind: '" + name + "' is no event kind (one of " + String.join(", ",
                        Arrays.stream(Event.Kind.values()).filter(k -> k != Event.Kind.KIND_UNSPECIFIED
                                && k != Event.Kind.UNRECOGNIZED).map(Enum::name).toList()) + ")");
            }
        }
        return kinds;
    }

    @Override
    void validate() {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw CliException.usage("--limit: must be 1.." + MAX_LIMIT + ", got " + limit);
        }
        if (since != null) {
            Since.resolve("--since", since, Instant.EPOCH); // the format only; resolved against the clock below
        }
        kinds(kinds);
        if (object != null && (object.isEmpty() || object.length() > 128 || object.chars().anyMatch(c -> c <= ' '))) {
            throw CliException.usage("--object: must be NAME or KIND/NAME, 1..128 characters without spaces");
        }
    }

    @Override
    int execute(SchedulerClient client, Printer printer) {
        ListEventsRequest.Builder request = ListEventsRequest.newBuilder().setLimit(limit).addAllKinds(kinds(kinds));
        if (object != null) {
            request.setObject(object);
        }
        if (since != null) {
            Instant from = Since.resolve("--since", since, context().clock().instant());
            request.setSince(Timestamp.newBuilder().setSeconds(from.getEpochSecond()).setNanos(from.getNano()));
        }
        if (!follow) {
            List<Event> events = client.call(stub -> stub.listEvents(request.build())).getEventsList();
            printer.array(events, () -> EventViews.list(events));
            return 0;
        }
        PrintStream out = context().out();
        boolean json = root().output() == OutputFormat.JSON;
        if (!json) {
            out.print(EventViews.header());
            out.flush();
        }
        try {
            client.stream(stub -> stub.watchEvents(request.build()), root().explicitTimeout(), event -> {
                out.print(json ? Json.line(event) + "\n" : EventViews.line(event));
                out.flush();
            });
        } catch (CliException e) {
            // With --follow, --timeout is how long to watch, so reaching it is a normal end.
            if (root().explicitTimeout() != null && e.getCause() instanceof StatusRuntimeException sre
                    && sre.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                return 0;
            }
            throw e;
        }
        return 0;
    }
}
