package io.hvfabric.agent.migration;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The migrations this agent takes part in right now, by VSI name: at most one per VSI and role. The reconciler asks
 * it which guests belong to an incoming migration (never destroyed as "not assigned here"), and the control RPCs use
 * it to tell the role of a migration id. In memory only: after an agent restart the roles fall back to what QEMU
 * reports.
 */
public final class MigrationSessions {
    public enum Role {
        SOURCE,
        TARGET
    }

    /** One running role; {@code onCancel} stops it (called from any thread, idempotent). */
    public record Session(String migrationId, String name, Role role, Runnable onCancel) {}

    private final Map<String, Session> incoming = new ConcurrentHashMap<>();
    private final Map<String, Session> outgoing = new ConcurrentHashMap<>();

    /** Registers a session; fails if the VSI already has one in that role (a duplicate call from the scheduler). */
    void begin(Session session) {
        Map<String, Session> map = session.role() == Role.TARGET ? incoming : outgoing;
        Session existing = map.putIfAbsent(session.name(), session);
        if (existing != null) {
            throw new IllegalStateException("VSI " + session.name() + " already has a " + session.role().name().toLowerCase()
                    + " migration in progress on this host: " + existing.migrationId());
        }
    }

    void end(Session session) {
        Map<String, Session> map = session.role() == Role.TARGET ? incoming : outgoing;
        map.remove(session.name(), session);
    }

    /** True while {@code name} is being received here: its QEMU must survive although the host does not own it. */
    public boolean isIncoming(String name) {
        return incoming.containsKey(name);
    }

    public Optional<Session> find(Role role, String name) {
        return Optional.ofNullable((role == Role.TARGET ? incoming : outgoing).get(name));
    }
}
