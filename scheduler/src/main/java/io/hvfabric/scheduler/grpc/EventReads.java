package io.hvfabric.scheduler.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.Event;
import io.hvfabric.proto.v1.ListEventsRequest;
import io.hvfabric.proto.v1.ListEventsResponse;
import io.hvfabric.scheduler.events.EventStore;
import io.hvfabric.scheduler.store.Times;
import io.hvfabric.scheduler.tenants.TenantScope;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * ListEvents and WatchEvents: read from etcd on the replica that took the call (events are no cluster state; the view
 * does not hold them). An operator sees every event; a tenant's principal only the {@link #TENANT_KINDS} of its own
 * tenant's VSIs, and asking for another kind is PERMISSION_DENIED. A watch lists first, then follows etcd from the
 * revision after the listing, so no event falls between the two.
 */
final class EventReads {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final int MAX_OBJECT = 128;

    /** What a tenant may see: its VSIs' lifecycle and their migrations' phases. */
    static final Set<Event.Kind> TENANT_KINDS = EnumSet.of(Event.Kind.VSI_CREATED, Event.Kind.VSI_PLACED,
            Event.Kind.VSI_STARTED, Event.Kind.VSI_STOPPED, Event.Kind.VSI_FAILED, Event.Kind.VSI_DELETED,
            Event.Kind.MIGRATION_PHASE);

    /** A request, validated. */
    record Query(Instant since, Set<Event.Kind> kinds, String objectKind, String objectName, int limit) {}

    private final EventStore store;
    private final String selfId;

    EventReads(EventStore store, String selfId) {
        this.store = store;
        this.selfId = selfId;
    }

    /** The request checked field by field (INVALID_ARGUMENT naming the field), then the tenant's bound. */
    static Query query(ListEventsRequest request, TenantScope scope) {
        int limit = request.getLimit() == 0 ? DEFAULT_LIMIT : request.getLimit();
        if (limit < 1 || limit > MAX_LIMIT) {
            throw FabricException.invalidArgument("limit", "must be 1..%d, or 0 for %d (got %d)", MAX_LIMIT,
                    DEFAULT_LIMIT, request.getLimit());
        }
        Instant since = request.hasSince() ? Times.instant(Times.valid("since", request.getSince())) : Instant.EPOCH;
        Set<Event.Kind> kinds = EnumSet.noneOf(Event.Kind.class);
        for (int i = 0; i < request.getKindsValueList().size(); i++) {
            Event.Kind kind = Event.Kind.forNumber(request.getKindsValue(i));
            if (kind == null || kind == Event.Kind.KIND_UNSPECIFIED) {
                throw FabricException.invalidArgument("kinds", "must name event kinds (got %d)",
                        request.getKindsValue(i));
            }
            kinds.add(kind);
        }
        String object = request.getObject();
        if (object.length() > MAX_OBJECT || object.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw FabricException.invalidArgument("object", "must be at most %d printable ASCII characters without"
                    + " spaces, NAME or KIND/NAME (got '%s')", MAX_OBJECT, object);
        }
        int slash = object.indexOf('/');
        String objectKind = slash < 0 ? "" : object.substring(0, slash);
        String objectName = slash < 0 ? object : object.substring(slash + 1);
        if (scope.isTenant()) {
            for (Event.Kind kind : kinds) {
                if (!TENANT_KINDS.contains(kind)) {
                    throw FabricException.permissionDenied("tenant '%s' may not see %s events (only %s)",
                            scope.tenant().orElseThrow(), kind, TENANT_KINDS);
                }
            }
        }
        return new Query(since, kinds, objectKind, objectName, limit);
    }

    /** The events the query asks for that the principal may see. */
    static Predicate<Event> filter(Query query, TenantScope scope) {
        return event -> {
            if (scope.isTenant() && !(TENANT_KINDS.contains(event.getKind())
                    && scope.tenant().orElseThrow().equals(event.getTenant()))) {
                return false;
            }
            if (!query.kinds().isEmpty() && !query.kinds().contains(event.getKind())) {
                return false;
            }
            if (!query.objectKind().isEmpty() && !query.objectKind().equals(event.getObject().getKind())) {
                return false;
            }
            return query.objectName().isEmpty() || query.objectName().equals(event.getObject().getName());
        };
    }

    ListEventsResponse list(ListEventsRequest request, TenantScope scope) {
        Query query = query(request, scope);
        EventStore.Listing listing = store().newest(query.since(), query.limit(), filter(query, scope));
        return ListEventsResponse.newBuilder().addAllEvents(listing.events()).setRevision(listing.revision()).build();
    }

    /** Sends the listing, then every later event the filter admits, until the client cancels. */
    void watch(ListEventsRequest request, TenantScope scope, ServerCallStreamObserver<Event> stream) {
        Query query = query(request, scope);
        Predicate<Event> filter = filter(query, scope);
        EventStore.Listing listing = store().newest(query.since(), query.limit(), filter);
        Object lock = new Object();
        java.util.concurrent.atomic.AtomicReference<AutoCloseable> watch = new java.util.concurrent.atomic.AtomicReference<>();
        stream.setOnCancelHandler(() -> closeQuietly(watch.getAndSet(() -> { })));
        synchronized (lock) {
            listing.events().forEach(stream::onNext);
        }
        AutoCloseable started = store().watch(listing.revision() + 1, filter, event -> {
            synchronized (lock) {
                if (!stream.isCancelled()) {
                    stream.onNext(event);
                }
            }
        }, error -> {
            synchronized (lock) {
                if (!stream.isCancelled()) {
                    stream.onError(Status.UNAVAILABLE.withDescription("event watch ended: " + error.getMessage())
                            .asRuntimeException());
                }
            }
        });
        if (!watch.compareAndSet(null, started)) {
            closeQuietly(started); // cancelled while it started
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            // the watch is gone either way
        }
    }

    private EventStore store() {
        if (store == null) {
            throw FabricException.unavailable("scheduler %s keeps no event log", selfId);
        }
        return store;
    }
}
