package io.hvfabric.scheduler.store;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The etcd key layout, in one place. Documented in README.md ("State in etcd").
 *
 * <pre>
 * {prefix}/leader/&lt;lease hex&gt;     election keys; the lowest create revision leads, and that revision is the term
 * {prefix}/schedulers/&lt;id&gt;        live scheduler replicas (lease-bound)
 * {prefix}/hosts/&lt;id&gt;             host records (leader-written)
 * {prefix}/alive/&lt;id&gt;             host liveness (bound to the host's lease)
 * {prefix}/hostalloc/&lt;id&gt;         sum of a host's allocations (compared by every placement on it)
 * {prefix}/vsis/&lt;name&gt;            VSI records: spec, owner host, state
 * {prefix}/images/&lt;name&gt;          guest images
 * {prefix}/migrations/&lt;id&gt;        live migrations: phase, progress, outcome
 * {prefix}/drains/&lt;host&gt;          host drains: the plan and its progress
 * {prefix}/tenants/&lt;name&gt;         tenants and their quotas
 * {prefix}/tenantusage/&lt;name&gt;     sum of a tenant's VSIs (compared by every create in the tenant)
 * {prefix}/networks/&lt;t&gt;/&lt;name&gt; tenant t's networks ("system": the operators' own)
 * {prefix}/netalloc/&lt;t&gt;/&lt;name&gt; a network's used addresses (compared by every create and delete of a vNIC)
 * {prefix}/vnis/&lt;vni&gt;            VNI claims, held while a network has the VNI (a create compares one absent)
 * {prefix}/volumes/&lt;t&gt;/&lt;name&gt;  tenant t's volumes: kind, size, host (local), the VSIs attached
 * {prefix}/audit/&lt;time&gt;-&lt;random&gt; audit records of operator calls (lease-bound; not part of the view)
 * {prefix}/revoked/&lt;serial hex&gt;   revoked certificates: the deny list every replica and agent honours
 * {prefix}/events/&lt;time&gt;-&lt;random&gt; fabric events (leader-written with the cursor; lease-bound; not part of the view)
 * {prefix}/eventcursor             the etcd revision up to which events have been emitted (not part of the view)
 * </pre>
 */
public final class Keys {
    public static final String DEFAULT_PREFIX = "/hvf/v1";

    public enum Kind {
        LEADER("leader"),
        SCHEDULER("schedulers"),
        HOST("hosts"),
        ALIVE("alive"),
        HOST_ALLOCATION("hostalloc"),
        VSI("vsis"),
        IMAGE("images"),
        MIGRATION("migrations"),
        DRAIN("drains"),
        TENANT("tenants"),
        TENANT_USAGE("tenantusage"),
        NETWORK("networks"),
        NETWORK_ALLOCATION("netalloc"),
        VNI("vnis"),
        VOLUME("volumes"),
        AUDIT("audit"),
        REVOKED("revoked"),
        EVENT("events");

        private final String segment;

        Kind(String segment) {
            this.segment = segment;
        }
    }

    /** A parsed key: its kind and the name after the kind's segment. */
    public record Parsed(Kind kind, String name) {}

    private final String prefix;

    public Keys(String prefix) {
        this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    public String prefix() {
        return prefix;
    }

    public ByteSequence root() {
        return bytes(prefix + "/");
    }

    public ByteSequence of(Kind kind, String name) {
        return bytes(prefix + "/" + kind.segment + "/" + name);
    }

    public ByteSequence dir(Kind kind) {
        return bytes(prefix + "/" + kind.segment + "/");
    }

    /** The first key after every key starting with {@code prefix}: the end of a prefix range. */
    public static ByteSequence prefixEnd(ByteSequence prefix) {
        byte[] end = prefix.getBytes();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteSequence.from(Arrays.copyOf(end, i + 1));
            }
        }
        return ByteSequence.from(new byte[] {0}); // all 0xff: etcd's "to the end of the keyspace"
    }

    /** The event cursor: a single key, outside every kind's directory, so no view or parse sees it. */
    public String eventCursor() {
        return prefix + "/eventcursor";
    }

    /** The election name: jetcd's election appends "/&lt;lease hex&gt;" to it. */
    public ByteSequence electionName() {
        return bytes(prefix + "/" + Kind.LEADER.segment);
    }

    public Parsed parse(ByteSequence key) {
        String k = key.toString(StandardCharsets.UTF_8);
        if (!k.startsWith(prefix + "/")) {
            return null;
        }
        String rest = k.substring(prefix.length() + 1);
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return null;
        }
        String segment = rest.substring(0, slash);
        for (Kind kind : Kind.values()) {
            if (kind.segment.equals(segment)) {
                return new Parsed(kind, rest.substring(slash + 1));
            }
        }
        return null;
    }

    public static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
