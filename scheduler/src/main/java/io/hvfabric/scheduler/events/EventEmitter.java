package io.hvfabric.scheduler.events;

import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.Event;
import io.hvfabric.proto.v1.EventObject;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.scheduler.store.Keys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one place fabric events come from: a committed change of one record (its value before and after, either absent)
 * in, the events an operator cares about out. Pure: no clock, no etcd; the caller ({@link EventPump}) stamps time,
 * replica and whether the event is replayed, and keeps the previous values.
 *
 * <p>What becomes an event: a host registered, its liveness lease back (READY) or expired (DOWN), its admin state
 * leaving READY (cordoned) or returning to it; a VSI created, placed on a host, observed RUNNING, STOPPED or FAILED,
 * deleted; every migration phase change (the creation as its first phase); a rebalance move recorded as a migration;
 * a drain created and ending COMPLETED or CANCELLED (finished) or PARTIAL; an audited call that did not end OK.
 */
public final class EventEmitter {
    /** A record as the change found it: absent ({@code null} value) or decoded. */
    public record Change(Keys.Kind kind, String name, Object before, Object after, long revision) {}

    private static final String ADMIN_READY = "READY";
    private static final String REBALANCER = "rebalancer";

    private final Function<String, Optional<String>> tenantOfVsi;

    /** @param tenantOfVsi the tenant owning a VSI by name, as far as the caller knows (empty: none, or unknown) */
    public EventEmitter(Function<String, Optional<String>> tenantOfVsi) {
        this.tenantOfVsi = tenantOfVsi;
    }

    public List<Event> diff(Change change) {
        List<Event> out = new ArrayList<>(2);
        switch (change.kind()) {
            case HOST -> host(change, (HostRecord) change.before(), (HostRecord) change.after(), out);
            case ALIVE -> alive(change, out);
            case VSI -> vsi(change, (VsiRecord) change.before(), (VsiRecord) change.after(), out);
            case MIGRATION -> migration(change, (Migration) change.before(), (Migration) change.after(), out);
            case DRAIN -> drain(change, (Drain) change.before(), (Drain) change.after(), out);
            case AUDIT -> audit(change, (AuditRecord) change.after(), out);
            default -> { }
        }
        return out;
    }

    /** Whether changes of {@code kind} can make events (and so whether their previous values must be kept). */
    public static boolean tracks(Keys.Kind kind) {
        return switch (kind) {
            case HOST, ALIVE, VSI, MIGRATION, DRAIN -> true;
            default -> false;
        };
    }

    /** The record type a tracked kind's keys hold (for decoding), or empty. */
    public static Optional<com.google.protobuf.Message> prototype(Keys.Kind kind) {
        return Optional.ofNullable(switch (kind) {
            case HOST -> HostRecord.getDefaultInstance();
            case ALIVE -> io.hvfabric.proto.v1.AliveRecord.getDefaultInstance();
            case VSI -> VsiRecord.getDefaultInstance();
            case MIGRATION -> Migration.getDefaultInstance();
            case DRAIN -> Drain.getDefaultInstance();
            case AUDIT -> AuditRecord.getDefaultInstance();
            default -> null;
        });
    }

    private static void host(Change c, HostRecord before, HostRecord after, List<Event> out) {
        if (after == null) {
            return;
        }
        if (before == null) {
            out.add(event(Event.Kind.HOST_REGISTERED, c, "host", c.name(), c.name(),
                    "host " + c.name() + " registered at " + after.getAddress(),
                    Map.of("address", after.getAddress(), "accelerator", after.getCapabilities().getAccelerator())));
            return;
        }
        String was = admin(before);
        String now = admin(after);
        if (was.equals(now)) {
            return;
        }
        if (ADMIN_READY.equals(now)) {
            out.add(event(Event.Kind.HOST_UNCORDONED, c, "host", c.name(), c.name(),
                    "host " + c.name() + " is READY again (was " + was + ")", Map.of("previous", was)));
        } else {
            out.add(event(Event.Kind.HOST_CORDONED, c, "host", c.name(), c.name(),
                    "host " + c.name() + " is " + now + " (was " + was + ")",
                    Map.of("admin_state", now, "previous", was)));
        }
    }

    private static void alive(Change c, List<Event> out) {
        if (c.before() == null && c.after() != null) {
            out.add(event(Event.Kind.HOST_READY, c, "host", c.name(), c.name(),
                    "host " + c.name() + " is alive: its liveness lease is held", Map.of()));
        } else if (c.before() != null && c.after() == null) {
            out.add(event(Event.Kind.HOST_DOWN, c, "host", c.name(), c.name(),
                    "host " + c.name() + " is DOWN: its liveness lease expired", Map.of()));
        }
    }

    private static void vsi(Change c, VsiRecord before, VsiRecord after, List<Event> out) {
        VsiRecord any = after != null ? after : before;
        if (any == null) {
            return;
        }
        String tenant = any.getSpec().getTenant();
        if (after == null) {
            out.add(withTenant(event(Event.Kind.VSI_DELETED, c, "vsi", c.name(), before.getHost(),
                    "VSI " + c.name() + " deleted", Map.of()), tenant));
            return;
        }
        if (before == null) {
            out.add(withTenant(event(Event.Kind.VSI_CREATED, c, "vsi", c.name(), after.getHost(),
                    "VSI " + c.name() + " created (" + after.getSpec().getVcpus() + " vCPUs, "
                            + after.getSpec().getMemoryMib() + " MiB)",
                    Map.of("vcpus", Integer.toString(after.getSpec().getVcpus()),
                            "memory_mib", Long.toString(after.getSpec().getMemoryMib()))), tenant));
        }
        String wasHost = before == null ? "" : before.getHost();
        if (!after.getHost().isEmpty() && !after.getHost().equals(wasHost)) {
            out.add(withTenant(event(Event.Kind.VSI_PLACED, c, "vsi", c.name(), after.getHost(),
                    wasHost.isEmpty() ? "VSI " + c.name() + " placed on " + after.getHost()
                            : "VSI " + c.name() + " moved from " + wasHost + " to " + after.getHost(),
                    wasHost.isEmpty() ? Map.of() : Map.of("from", wasHost)), tenant));
        }
        Vsi.State was = before == null ? Vsi.State.STATE_UNSPECIFIED : before.getState();
        Vsi.State now = after.getState();
        if (was == now) {
            return;
        }
        Event.Kind kind = switch (now) {
            // The end of a migration is RUNNING again, not a start: the migration's phases tell that story.
            case RUNNING -> was == Vsi.State.MIGRATING ? null : Event.Kind.VSI_STARTED;
            case STOPPED -> Event.Kind.VSI_STOPPED;
            case FAILED -> Event.Kind.VSI_FAILED;
            default -> null;
        };
        if (kind != null) {
            String message = "VSI " + c.name() + " is " + now + (after.getHost().isEmpty() ? "" : " on "
                    + after.getHost()) + (after.getMessage().isEmpty() ? "" : ": " + after.getMessage());
            out.add(withTenant(event(kind, c, "vsi", c.name(), after.getHost(), message,
                    Map.of("state", now.name(), "previous", was.name())), tenant));
        }
    }

    private void migration(Change c, Migration before, Migration after, List<Event> out) {
        if (after == null) {
            return;
        }
        Migration.Phase was = before == null ? Migration.Phase.PHASE_UNSPECIFIED : before.getPhase();
        if (was == after.getPhase()) {
            return;
        }
        String tenant = tenantOfVsi.apply(after.getName()).orElse("");
        String message = "migration " + c.name() + " of " + after.getName() + " " + after.getFrom() + " -> "
                + after.getTo() + ": " + (before == null ? "" : was + " -> ") + after.getPhase()
                + (after.getMessage().isEmpty() || before == null ? "" : " (" + after.getMessage() + ")");
        out.add(withTenant(event(Event.Kind.MIGRATION_PHASE, c, "migration", c.name(), after.getFrom(),
                message, Map.of("vsi", after.getName(), "from", after.getFrom(), "to", after.getTo(),
                        "phase", after.getPhase().name(), "previous", before == null ? "" : was.name())), tenant));
        if (before == null && REBALANCER.equals(after.getRequestedBy())) {
            out.add(event(Event.Kind.REBALANCE_PLANNED, c, "migration", c.name(), after.getFrom(),
                    "rebalance moves " + after.getName() + " from " + after.getFrom() + " to " + after.getTo(),
                    Map.of("vsi", after.getName(), "from", after.getFrom(), "to", after.getTo())));
        }
    }

    private static void drain(Change c, Drain before, Drain after, List<Event> out) {
        if (after == null) {
            return;
        }
        if (before == null) {
            out.add(event(Event.Kind.DRAIN_STARTED, c, "drain", c.name(), c.name(),
                    "drain of " + c.name() + " started: " + after.getMovesCount() + " VSIs to move, ETA "
                            + after.getEtaSeconds() + " s", Map.of("moves", Integer.toString(after.getMovesCount()))));
        }
        Drain.Phase was = before == null ? Drain.Phase.PHASE_UNSPECIFIED : before.getPhase();
        if (was == after.getPhase()) {
            return;
        }
        Event.Kind kind = switch (after.getPhase()) {
            case COMPLETED, CANCELLED -> Event.Kind.DRAIN_FINISHED;
            case PARTIAL -> Event.Kind.DRAIN_PARTIAL;
            default -> null;
        };
        if (kind != null) {
            out.add(event(kind, c, "drain", c.name(), c.name(), "drain of " + c.name() + " ended "
                    + after.getPhase() + (after.getMessage().isEmpty() ? "" : ": " + after.getMessage()),
                    Map.of("phase", after.getPhase().name())));
        }
    }

    private static void audit(Change c, AuditRecord record, List<Event> out) {
        if (record == null || c.before() != null || record.getCode().isEmpty() || "OK".equals(record.getCode())) {
            return;
        }
        String principal = record.getPrincipal().getRole() + "/" + record.getPrincipal().getName();
        out.add(event(Event.Kind.CALL_REFUSED, c, "call", record.getMethod(), "",
                record.getMethod() + " by " + principal + (record.getObject().isEmpty() ? "" : " on '"
                        + record.getObject() + "'") + " -> " + record.getCode() + ": " + record.getMessage(),
                Map.of("method", record.getMethod(), "code", record.getCode(), "principal", principal,
                        "object", record.getObject(), "replica", record.getReplica())));
    }

    private static String admin(HostRecord record) {
        return record.getAdminState().isEmpty() ? ADMIN_READY : record.getAdminState();
    }

    private static Event event(Event.Kind kind, Change c, String objectKind, String objectName, String host,
                               String message, Map<String, String> fields) {
        return Event.newBuilder()
                .setKind(kind)
                .setObject(EventObject.newBuilder().setKind(objectKind).setName(objectName))
                .setHost(host)
                .setMessage(message)
                .putAllFields(fields)
                .setRevision(c.revision())
                .build();
    }

    private static Event withTenant(Event event, String tenant) {
        return tenant.isEmpty() ? event : event.toBuilder().setTenant(tenant).build();
    }
}
