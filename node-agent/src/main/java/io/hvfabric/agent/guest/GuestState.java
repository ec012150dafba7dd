package io.hvfabric.agent.guest;

import io.hvfabric.proto.v1.GuestStatus;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Liveness of a guest as its guest agent shows it, with the one transition table every move is checked against. A
 * monitor begins in {@link #BOOTING} (or {@link #NO_AGENT} when the image has none); a new QEMU process begins a new
 * monitor rather than moving an old one back.
 */
public enum GuestState {
    /** The image has no guest agent, or none answered within the boot bound. */
    NO_AGENT(GuestStatus.State.NO_AGENT),
    /** QEMU runs; the guest agent has not answered yet. */
    BOOTING(GuestStatus.State.BOOTING),
    /** The guest agent answers its pings. */
    UP(GuestStatus.State.UP),
    /** It answered before, then missed several pings in a row. */
    UNRESPONSIVE(GuestStatus.State.UNRESPONSIVE);

    private static final Map<GuestState, Set<GuestState>> NEXT = table();

    private final GuestStatus.State proto;

    GuestState(GuestStatus.State proto) {
        this.proto = proto;
    }

    private static Map<GuestState, Set<GuestState>> table() {
        Map<GuestState, Set<GuestState>> t = new EnumMap<>(GuestState.class);
        t.put(BOOTING, EnumSet.of(UP, NO_AGENT));
        // An agent that starts after the boot bound (a very slow boot) still counts once it answers.
        t.put(NO_AGENT, EnumSet.of(UP));
        t.put(UP, EnumSet.of(UNRESPONSIVE));
        t.put(UNRESPONSIVE, EnumSet.of(UP));
        t.replaceAll((from, to) -> Collections.unmodifiableSet(to));
        return Collections.unmodifiableMap(t);
    }

    public Set<GuestState> allowedNext() {
        return NEXT.get(this);
    }

    public boolean canMoveTo(GuestState to) {
        return to != null && allowedNext().contains(to);
    }

    public GuestStatus.State toProto() {
        return proto;
    }
}
