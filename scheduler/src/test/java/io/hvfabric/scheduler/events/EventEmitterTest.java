package io.hvfabric.scheduler.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.hvfabric.proto.v1.AliveRecord;
import io.hvfabric.proto.v1.AuditPrincipal;
import io.hvfabric.proto.v1.AuditRecord;
import io.hvfabric.proto.v1.Drain;
import io.hvfabric.proto.v1.Event;
import io.hvfabric.proto.v1.HostRecord;
import io.hvfabric.proto.v1.Image;
import io.hvfabric.proto.v1.Migration;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiRecord;
import io.hvfabric.proto.v1.VsiSpec;
import io.hvfabric.scheduler.store.Keys;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventEmitterTest {
    private final EventEmitter emitter = new EventEmitter(vsi -> vsi.startsWith("a-") ? Optional.of("acme")
            : Optional.empty());

    private List<Event> diff(Keys.Kind kind, String name, Object before, Object after) {
        return emitter.diff(new EventEmitter.Change(kind, name, before, after, 42));
    }

    private static List<Event.Kind> kinds(List<Event> events) {
        return events.stream().map(Event::getKind).toList();
    }

    private static HostRecord host(String admin) {
        return HostRecord.newBuilder().setId("h1").setAddress("10.0.0.1:7000").setAdminState(admin).build();
    }

    private static VsiRecord vsi(String name, String tenant, String host, Vsi.State state) {
        return VsiRecord.newBuilder().setSpec(VsiSpec.newBuilder().setName(name).setTenant(tenant).setVcpus(1)
                .setMemoryMib(128)).setHost(host).setState(state).setImage(Image.newBuilder().setName("default"))
                .build();
    }

    private static Migration migration(Migration.Phase phase, String requestedBy) {
        return Migration.newBuilder().setId("m1").setName("a-1").setFrom("h1").setTo("h2").setPhase(phase)
                .setRequestedBy(requestedBy).build();
    }

    @Test
    void hostsRegisterComeAndGoAndAreCordoned() {
        List<Event> registered = diff(Keys.Kind.HOST, "h1", null, host(""));
        assertThat(kinds(registered)).containsExactly(Event.Kind.HOST_REGISTERED);
        assertThat(registered.get(0).getHost()).isEqualTo("h1");
        assertThat(registered.get(0).getObject().getKind()).isEqualTo("host");
        assertThat(registered.get(0).getRevision()).isEqualTo(42);

        assertThat(kinds(diff(Keys.Kind.HOST, "h1", host(""), host("CORDONED"))))
                .containsExactly(Event.Kind.HOST_CORDONED);
        assertThat(diff(Keys.Kind.HOST, "h1", host("CORDONED"), host("DRAINING")).get(0).getFieldsMap())
                .containsEntry("admin_state", "DRAINING").containsEntry("previous", "CORDONED");
        assertThat(kinds(diff(Keys.Kind.HOST, "h1", host("MAINTENANCE"), host("READY"))))
                .containsExactly(Event.Kind.HOST_UNCORDONED);
        assertThat(diff(Keys.Kind.HOST, "h1", host("READY"), host("").toBuilder().setAgentVersion("2").build()))
                .as("READY and unset are the same admin state").isEmpty();

        AliveRecord alive = AliveRecord.newBuilder().setLeaseId(7).build();
        assertThat(kinds(diff(Keys.Kind.ALIVE, "h1", null, alive))).containsExactly(Event.Kind.HOST_READY);
        assertThat(diff(Keys.Kind.ALIVE, "h1", alive, alive.toBuilder().setLeaseId(8).build()))
                .as("a heartbeat is no event").isEmpty();
        assertThat(kinds(diff(Keys.Kind.ALIVE, "h1", alive, null))).containsExactly(Event.Kind.HOST_DOWN);
    }

    @Test
    void aVsisLifeCarriesItsTenant() {
        List<Event> created = diff(Keys.Kind.VSI, "a-1", null, vsi("a-1", "acme", "h1", Vsi.State.SCHEDULED));
        assertThat(kinds(created)).containsExactly(Event.Kind.VSI_CREATED, Event.Kind.VSI_PLACED);
        assertThat(created).allSatisfy(e -> assertThat(e.getTenant()).isEqualTo("acme"));

        VsiRecord scheduled = vsi("a-1", "acme", "h1", Vsi.State.SCHEDULED);
        VsiRecord running = vsi("a-1", "acme", "h1", Vsi.State.RUNNING);
        assertThat(kinds(diff(Keys.Kind.VSI, "a-1", scheduled, running))).containsExactly(Event.Kind.VSI_STARTED);
        assertThat(diff(Keys.Kind.VSI, "a-1", running, running.toBuilder().setPid(9).build())).isEmpty();
        assertThat(kinds(diff(Keys.Kind.VSI, "a-1", running, vsi("a-1", "acme", "h1", Vsi.State.STOPPED))))
                .containsExactly(Event.Kind.VSI_STOPPED);
        assertThat(kinds(diff(Keys.Kind.VSI, "a-1", running, vsi("a-1", "acme", "h1", Vsi.State.FAILED))))
                .containsExactly(Event.Kind.VSI_FAILED);

        VsiRecord migrating = vsi("a-1", "acme", "h1", Vsi.State.MIGRATING);
        List<Event> moved = diff(Keys.Kind.VSI, "a-1", migrating, vsi("a-1", "acme", "h2", Vsi.State.RUNNING));
        assertThat(kinds(moved)).as("the end of a migration is a move, not a start")
                .containsExactly(Event.Kind.VSI_PLACED);
        assertThat(moved.get(0).getFieldsMap()).containsEntry("from", "h1");
        assertThat(moved.get(0).getHost()).isEqualTo("h2");

        List<Event> deleted = diff(Keys.Kind.VSI, "a-1", running, null);
        assertThat(kinds(deleted)).containsExactly(Event.Kind.VSI_DELETED);
        assertThat(deleted.get(0).getTenant()).isEqualTo("acme");
        assertThat(diff(Keys.Kind.VSI, "web-1", null, vsi("web-1", "", "", Vsi.State.PENDING)).get(0).getTenant())
                .as("the operators' own VSIs have no tenant").isEmpty();
    }

    @Test
    void everyMigrationPhaseChangeIsAnEventWithFromToAndPhase() {
        List<Event> pending = diff(Keys.Kind.MIGRATION, "m1", null, migration(Migration.Phase.PENDING, "operator"));
        assertThat(kinds(pending)).containsExactly(Event.Kind.MIGRATION_PHASE);
        assertThat(pending.get(0).getFieldsMap()).containsAllEntriesOf(Map.of("vsi", "a-1", "from", "h1", "to", "h2",
                "phase", "PENDING", "previous", ""));
        assertThat(pending.get(0).getTenant()).as("the VSI's tenant").isEqualTo("acme");

        List<Event> precopy = diff(Keys.Kind.MIGRATION, "m1", migration(Migration.Phase.PREPARING_TARGET, ""),
                migration(Migration.Phase.PRECOPY, ""));
        assertThat(precopy.get(0).getFieldsMap()).containsEntry("phase", "PRECOPY")
                .containsEntry("previous", "PREPARING_TARGET");
        assertThat(precopy.get(0).getMessage()).contains("PREPARING_TARGET -> PRECOPY");

        Migration progressed = migration(Migration.Phase.PRECOPY, "").toBuilder().setRounds(3).build();
        assertThat(diff(Keys.Kind.MIGRATION, "m1", migration(Migration.Phase.PRECOPY, ""), progressed))
                .as("progress samples are no events").isEmpty();

        assertThat(kinds(diff(Keys.Kind.MIGRATION, "m1", null, migration(Migration.Phase.PENDING, "rebalancer"))))
                .containsExactly(Event.Kind.MIGRATION_PHASE, Event.Kind.REBALANCE_PLANNED);
    }

    @Test
    void drainsStartAndFinishOrEndPartial() {
        Drain running = Drain.newBuilder().setHost("h1").setPhase(Drain.Phase.RUNNING).build();
        assertThat(kinds(diff(Keys.Kind.DRAIN, "h1", null, running))).containsExactly(Event.Kind.DRAIN_STARTED);
        assertThat(diff(Keys.Kind.DRAIN, "h1", running, running.toBuilder().setEtaSeconds(5).build())).isEmpty();
        assertThat(kinds(diff(Keys.Kind.DRAIN, "h1", running, running.toBuilder().setPhase(Drain.Phase.PARTIAL)
                .build()))).containsExactly(Event.Kind.DRAIN_PARTIAL);
        assertThat(kinds(diff(Keys.Kind.DRAIN, "h1", running, running.toBuilder().setPhase(Drain.Phase.COMPLETED)
                .build()))).containsExactly(Event.Kind.DRAIN_FINISHED);
    }

    @Test
    void refusedCallsComeFromTheAuditRecordsAndAcceptedOnesDoNot() {
        AuditRecord refused = AuditRecord.newBuilder().setMethod("CreateVsi").setObject("x")
                .setCode("PERMISSION_DENIED").setMessage("no").setPrincipal(AuditPrincipal.newBuilder()
                        .setRole("tenant").setName("alice").setTenant("acme")).build();
        List<Event> events = diff(Keys.Kind.AUDIT, "2026-...-1", null, refused);
        assertThat(kinds(events)).containsExactly(Event.Kind.CALL_REFUSED);
        assertThat(events.get(0).getFieldsMap()).containsEntry("method", "CreateVsi")
                .containsEntry("code", "PERMISSION_DENIED").containsEntry("principal", "tenant/alice");
        assertThat(events.get(0).getTenant()).as("refusals are for operators only").isEmpty();
        assertThat(diff(Keys.Kind.AUDIT, "k", null, refused.toBuilder().setCode("OK").build())).isEmpty();
        assertThat(diff(Keys.Kind.AUDIT, "k", refused, null)).as("an expired audit record is no event").isEmpty();
    }

    @Test
    void otherRecordsMakeNoEvents() {
        assertThat(diff(Keys.Kind.IMAGE, "default", null, Image.newBuilder().setName("default").build())).isEmpty();
        assertThat(EventEmitter.tracks(Keys.Kind.EVENT)).isFalse();
        assertThat(EventEmitter.prototype(Keys.Kind.EVENT)).isEmpty();
    }
}
