package io.hvfabric.scheduler.hosts;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.common.validation.FieldRules;
import io.hvfabric.proto.v1.GuestInterface;
import io.hvfabric.proto.v1.GuestStatus;
import io.hvfabric.proto.v1.HeartbeatRequest;
import io.hvfabric.proto.v1.HostCapabilities;
import io.hvfabric.proto.v1.RegisterRequest;
import io.hvfabric.proto.v1.VsiStatus;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Bounds on what an agent's reports put into etcd records. What the agent itself says (labels, versions, its
 * capabilities) is refused when out of bounds: a well-behaved agent never sends it. What comes from a guest (its
 * agent's interface list, via the host's agent) is cut down instead, never refused: a guest must not be able to stop
 * its host's heartbeats, and so take the host DOWN, by answering its guest agent with something huge.
 */
public final class AgentReportBounds {
    static final int MAX_LABELS = 32;
    static final int MAX_LABEL_KEY = 63;
    static final int MAX_TEXT = 256;
    /** The agent's own texts: probe details and reasons run to a few hundred characters. */
    static final int MAX_DETAIL = 1024;
    static final int MAX_GUEST_INTERFACES = 16;
    static final int MAX_GUEST_ADDRESSES = 16;
    static final int MAX_REPORTED_VSIS = 4096;
    private static final Pattern LABEL_KEY = Pattern.compile("[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?");
    private static final Pattern IPV4 =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    private AgentReportBounds() {}

    /** INVALID_ARGUMENT naming the field for anything a registering agent sends beyond its bounds. */
    public static void validate(RegisterRequest request) {
        if (request.getLabelsCount() > MAX_LABELS) {
            throw FabricException.invalidArgument("labels", "must hold at most %d entries (got %d)", MAX_LABELS,
                    request.getLabelsCount());
        }
        for (Map.Entry<String, String> label : request.getLabelsMap().entrySet()) {
            String key = label.getKey();
            if (key.length() > MAX_LABEL_KEY || !LABEL_KEY.matcher(key).matches()) {
                throw FabricException.invalidArgument("labels",
                        "keys must be 1-63 lowercase letters, digits, '.', '_', '/' or '-' (got '%s')", key);
            }
            FieldRules.printableAscii("labels[" + key + "]", label.getValue(), MAX_TEXT);
        }
        HostCapabilities caps = request.getCapabilities();
        for (Map.Entry<String, String> text : Map.of(
                "agent_version", request.getAgentVersion(),
                "metrics_address", request.getMetricsAddress(),
                "capabilities.accelerator", caps.getAccelerator(),
                "capabilities.cpu_model", caps.getCpuModel(),
                "capabilities.nic_name", caps.getNicName(),
                "capabilities.qemu_version", caps.getQemuVersion(),
                "capabilities.kernel_release", caps.getKernelRelease(),
                "capabilities.machine_type", caps.getMachineType(),
                "capabilities.kvm_probe_detail", caps.getKvmProbeDetail(),
                "capabilities.accelerator_reason", caps.getAcceleratorReason()).entrySet()) {
            if (text.getValue().length() > MAX_DETAIL) {
                throw FabricException.invalidArgument(text.getKey(), "must be at most %d characters (got %d)",
                        MAX_DETAIL, text.getValue().length());
            }
        }
        // Peers send tenant traffic to this address: it must be an address, not a name to resolve.
        if (!caps.getUnderlayAddress().isEmpty() && !IPV4.matcher(caps.getUnderlayAddress()).matches()) {
            throw FabricException.invalidArgument("capabilities.underlay_address",
                    "must be an IPv4 address like 10.0.0.11 (got '%s')", caps.getUnderlayAddress());
        }
        FieldRules.within("capabilities.underlay_mtu", caps.getUnderlayMtu(), 0, 65535, "bytes");
    }

    /** The heartbeat with every VSI report bounded (see {@link #bounded(VsiStatus)}). */
    public static HeartbeatRequest bounded(HeartbeatRequest request) {
        if (request.getVsisCount() > MAX_REPORTED_VSIS) {
            throw FabricException.invalidArgument("vsis", "must hold at most %d reports (got %d)", MAX_REPORTED_VSIS,
                    request.getVsisCount());
        }
        HeartbeatRequest.Builder b = request.toBuilder().clearVsis();
        request.getVsisList().forEach(vsi -> b.addVsis(bounded(vsi)));
        return b.build();
    }

    /** The report with its agent's message and its guest's words cut to their bounds. */
    static VsiStatus bounded(VsiStatus status) {
        VsiStatus.Builder b = status.toBuilder().setMessage(cut(status.getMessage(), MAX_DETAIL));
        if (status.hasGuest()) {
            b.setGuest(bounded(status.getGuest()));
        }
        return b.build();
    }

    static GuestStatus bounded(GuestStatus guest) {
        GuestStatus.Builder b = guest.toBuilder()
                .setMessage(cut(guest.getMessage(), MAX_DETAIL))
                .setAgentVersion(cut(guest.getAgentVersion(), MAX_TEXT))
                .clearInterfaces();
        for (GuestInterface nic : guest.getInterfacesList().subList(0,
                Math.min(MAX_GUEST_INTERFACES, guest.getInterfacesCount()))) {
            GuestInterface.Builder n = GuestInterface.newBuilder()
                    .setName(cut(nic.getName(), MAX_TEXT))
                    .setMac(cut(nic.getMac(), MAX_TEXT));
            for (String address : nic.getAddressesList().subList(0,
                    Math.min(MAX_GUEST_ADDRESSES, nic.getAddressesCount()))) {
                n.addAddresses(cut(address, MAX_TEXT));
            }
            b.addInterfaces(n);
        }
        return b.build();
    }

    /** At most {@code max} characters, control characters replaced: the text goes to logs and terminals too. */
    static String cut(String text, int max) {
        String s = text.length() > max ? text.substring(0, max) : text;
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (out == null) {
                    out = new StringBuilder(s);
                }
                out.setCharAt(i, '?');
            }
        }
        return out == null ? s : out.toString();
    }
}
