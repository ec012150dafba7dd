package io.hvfabric.agent.migration;

import com.fasterxml.jackson.databind.JsonNode;
import io.hvfabric.agent.qmp.QmpClient;
import io.hvfabric.agent.qmp.QmpException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The QMP migration commands the two roles use, with QEMU's argument shapes in one place. */
final class MigrationQmp {
    private final QmpClient qmp;

    MigrationQmp(QmpClient qmp) {
        this.qmp = Objects.requireNonNull(qmp, "qmp");
    }

    /** Sets every named capability explicitly, so a value left over from an earlier migration cannot leak in. */
    void setCapabilities(Map<String, Boolean> capabilities) throws QmpException {
        List<Map<String, Object>> list = new ArrayList<>();
        capabilities.forEach((name, on) -> list.add(Map.of("capability", name, "state", on)));
        qmp.execute("migrate-set-capabilities", Map.of("capabilities", list));
    }

    void setParameters(Map<String, Object> parameters) throws QmpException {
        if (!parameters.isEmpty()) {
            qmp.execute("migrate-set-parameters", parameters);
        }
    }

    /** Adds the credentials object, first removing one of the same id that an earlier attempt left behind. */
    void addTlsCredentials(QemuTlsCredentials creds) throws QmpException {
        removeObjectQuietly(creds.objectId());
        qmp.execute("object-add", creds.objectAddArguments());
    }

    /** Adds the authz object, first removing one of the same id that an earlier attempt left behind. */
    void addTlsAuthz(QemuTlsAuthz authz) throws QmpException {
        removeObjectQuietly(authz.objectId());
        qmp.execute("object-add", authz.objectAddArguments());
    }

    void removeObjectQuietly(String id) {
        try {
            qmp.execute("object-del", Map.of("id", id));
        } catch (QmpException | RuntimeException e) {
            // absent (the usual case) or still in use by a finished migration's state: either way nothing to do
        }
    }

    void migrate(String uri) throws QmpException {
        qmp.execute("migrate", Map.of("uri", uri));
    }

    void migrateIncoming(String uri) throws QmpException {
        qmp.execute("migrate-incoming", Map.of("uri", uri));
    }

    JsonNode queryMigrate() throws QmpException {
        return qmp.execute("query-migrate");
    }

    /** Idempotent in QEMU: without an active migration it does nothing. */
    void cancel() throws QmpException {
        qmp.execute("migrate_cancel");
    }

    void startPostcopy() throws QmpException {
        qmp.execute("migrate-start-postcopy");
    }

    String runState() throws QmpException {
        return qmp.queryStatus().status();
    }

    /**
     * TLS parameters; a null hostname or authz id leaves that parameter as it is. Empty strings switch TLS off again
     * (QEMU's convention for these three). {@code tls-authz} applies to the listening side only.
     */
    static Map<String, Object> tlsParameters(String credsId, String hostname, String authzId) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tls-creds", credsId == null ? "" : credsId);
        if (hostname != null) {
            p.put("tls-hostname", hostname);
        }
        if (authzId != null) {
            p.put("tls-authz", authzId);
        }
        return p;
    }

    /** After a migration: stop referring to the TLS objects and remove them, so the next one starts clean. */
    void dropTlsQuietly(String credsId, String authzId) {
        try {
            setParameters(tlsParameters("", "", authzId == null ? null : ""));
        } catch (QmpException | RuntimeException e) {
            // QEMU gone (a destroyed target) or busy tearing down: nothing left to clean
        }
        removeObjectQuietly(credsId);
        if (authzId != null) {
            removeObjectQuietly(authzId);
        }
    }
}
