package io.hvfabric.cli.output;

import io.hvfabric.proto.v1.GuestInterface;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.DiskSpec;
import io.hvfabric.proto.v1.NicSpec;
import io.hvfabric.proto.v1.Vsi;
import io.hvfabric.proto.v1.VsiSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Table renderings of VSIs. */
public final class VsiViews {
    private static final int MESSAGE_WIDTH = 60;
    private static final String SYSTEM = "system";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private VsiViews() {}

    public static String list(List<Vsi> vsis) {
        return list(vsis, false);
    }

    /** With {@code withTenant}, a TENANT column after NAME (an operator's list spans tenants). */
    public static String list(List<Vsi> vsis, boolean withTenant) {
        List<String> headers = new ArrayList<>(List.of("NAME", "HOST", "STATE", "GUEST", "ADDRESS", "DESIRED", "VCPUS",
                "MEMORY", "IMAGE", "MESSAGE"));
        if (withTenant) {
            headers.add(1, "TENANT");
        }
        Table table = new Table(headers.toArray(String[]::new));
        for (Vsi vsi : vsis) {
            List<Object> cells = new ArrayList<>(List.of(vsi.getName(), vsi.getHost().isEmpty() ? "-" : vsi.getHost(),
                    state(vsi), guestState(vsi), firstIpv4(vsi.getGuest()).orElse("-"), vsi.getDesired(),
                    Units.vcpus(vsi.getVcpus()), Units.mib(vsi.getMemoryMib()), vsi.getImage(),
                    shorten(vsi.getMessage())));
            if (withTenant) {
                cells.add(1, tenant(vsi));
            }
            table.row(cells.toArray());
        }
        return table.render();
    }

    /** The owning tenant; the operators' own VSIs belong to none and show as "system". */
    static String tenant(Vsi vsi) {
        return vsi.getTenant().isEmpty() ? SYSTEM : vsi.getTenant();
    }

    public static String detail(Vsi vsi, Instant now) {
        VsiSpec spec = vsi.getSpec();
        KeyValueBlock block = new KeyValueBlock()
                .add("name", vsi.getName())
                .add("tenant", tenant(vsi))
                .add("host", vsi.getHost().isEmpty() ? "(not placed)" : vsi.getHost())
                .add("state", state(vsi))
                .add("desired", vsi.getDesired())
                .add("vcpus", Units.vcpus(vsi.getVcpus()))
                .add("memory", Units.mib(vsi.getMemoryMib()))
                .add("disk", spec.getDiskGib() > 0 ? Units.gib(spec.getDiskGib()) : "")
                .add("image", vsi.getImage())
                .add("kernel args", spec.getKernelArgs())
                .add("anti-affinity", spec.getAntiAffinityGroup())
                .add("requested host", spec.getHost())
                .add("pid", vsi.getPid() > 0 ? vsi.getPid() : "")
                .add("restarts", vsi.getRestarts() > 0 ? vsi.getRestarts() : "")
                .add("created", Timestamps.withAge(vsi.getCreatedAt(), now))
                .add("state changed", Timestamps.withAge(vsi.getStateChangedAt(), now))
                .add("message", vsi.getMessage());
        addGuest(block, vsi.getGuest(), now);
        String shown = spec.getNicsCount() == 0 ? block.render() : block.render() + "\n" + nics(spec.getNicsList());
        return spec.getDisksCount() == 0 ? shown : shown + "\n" + disks(spec.getDisksList());
    }

    /** The disks in guest order (vda, vdb, ...), as the fabric recorded them. */
    static String disks(List<DiskSpec> disks) {
        Table table = new Table("DISK", "VOLUME", "KIND", "SIZE", "BUS", "MODE");
        for (int i = 0; i < disks.size(); i++) {
            DiskSpec disk = disks.get(i);
            table.row("vd" + (char) ('a' + i), disk.getVolume(), disk.getKind().name().toLowerCase(java.util.Locale.ROOT),
                    Units.bytes(disk.getSizeBytes()), orDash(disk.getBus()), disk.getReadonly() ? "ro" : "rw");
        }
        return table.render();
    }

    /** The vNICs as the fabric recorded them: what the request asked for and what it assigned ("-" if not yet). */
    static String nics(List<NicSpec> nics) {
        Table table = new Table("NIC", "NETWORK", "MAC", "IP", "MBIT/S", "VNI");
        for (int i = 0; i < nics.size(); i++) {
            NicSpec nic = nics.get(i);
            table.row(i, nic.getNetwork(), orDash(nic.getMac()), orDash(nic.getIp()),
                    nic.getMbps() > 0 ? nic.getMbps() : "-", nic.getVni() > 0 ? nic.getVni() : "-");
        }
        return table.render();
    }

    private static String orDash(String value) {
        return value.isEmpty() ? "-" : value;
    }

    /** The guest as its guest agent shows it; for an unknown guest only the reason, if there is one. */
    private static void addGuest(KeyValueBlock block, GuestStatus guest, Instant now) {
        if (guest.getState() == GuestStatus.State.STATE_UNSPECIFIED) {
            block.add("guest", guest.getMessage().isEmpty() ? "" : "unknown (" + guest.getMessage() + ")");
            return;
        }
        String since = Timestamps.withAge(guest.getSince(), now);
        block.add("guest", guest.getState().name() + (since.isEmpty() ? "" : " since " + since))
                .add("guest message", guest.getMessage())
                .add("guest agent", guest.getAgentVersion())
                .add("missed pings", guest.getMissedPings() > 0 ? guest.getMissedPings() : "");
        for (GuestInterface nic : guest.getInterfacesList()) {
            String addresses = String.join(", ", nic.getAddressesList());
            block.add("interface " + nic.getName(), (nic.getMac() + " " + addresses).trim());
        }
    }

    /** UP, BOOTING, NO_AGENT, UNRESPONSIVE, or "-" while unknown. */
    public static String guestState(Vsi vsi) {
        GuestStatus.State state = vsi.getGuest().getState();
        return state == GuestStatus.State.STATE_UNSPECIFIED || state == GuestStatus.State.UNRECOGNIZED
                ? "-" : state.name();
    }

    /** The first IPv4 address the guest reports outside loopback, without its prefix length. */
    static Optional<String> firstIpv4(GuestStatus guest) {
        for (GuestInterface nic : guest.getInterfacesList()) {
            for (String cidr : nic.getAddressesList()) {
                String address = cidr.contains("/") ? cidr.substring(0, cidr.indexOf('/')) : cidr;
                if (IPV4.matcher(address).matches() && !address.startsWith("127.")) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }

    static String state(Vsi vsi) {
        return vsi.getState() == Vsi.State.STATE_UNSPECIFIED ? "UNKNOWN" : vsi.getState().name();
    }

    private static String shorten(String message) {
        String line = message.replaceAll("\\s+", " ").trim();
        return line.length() <= MESSAGE_WIDTH ? line : line.substring(0, MESSAGE_WIDTH - 3) + "...";
    }
}
