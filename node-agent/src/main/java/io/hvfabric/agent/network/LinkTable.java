package io.hvfabric.agent.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One snapshot of a host's links, read from {@code ip -j -d link show}. */
public final class LinkTable {
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param kind linkinfo's kind ("bridge", "vxlan", "veth", "ifb"; "tap" for a tap), empty for a plain device
     * @param master the bridge it is enslaved to, empty if none
     * @param vxlan the VXLAN parameters, if it is a VXLAN device
     */
    public record Link(String name, String kind, String master, int mtu, boolean up, String mac,
                       Optional<Vxlan> vxlan) {}

    /** What identifies a VXLAN device: the data plane recreates one whose parameters differ from the wanted ones. */
    public record Vxlan(int id, String local, String dev, int port, boolean learning) {}

    private final Map<String, Link> links;

    private LinkTable(Map<String, Link> links) {
        this.links = links;
    }

    public static LinkTable read(CommandRunner host) {
        return parse(host.run("ip", "-j", "-d", "link", "show").stdout());
    }

    static LinkTable parse(String json) {
        Map<String, Link> links = new LinkedHashMap<>();
        try {
            for (JsonNode l : JSON.readTree(json.isBlank() ? "[]" : json)) {
                JsonNode info = l.path("linkinfo");
                String kind = info.path("info_kind").asText("");
                if ("tun".equals(kind)) {
                    kind = info.path("info_data").path("type").asText("tun");
                }
                Optional<Vxlan> vxlan = Optional.empty();
                if ("vxlan".equals(kind)) {
                    JsonNode d = info.path("info_data");
                    vxlan = Optional.of(new Vxlan(d.path("id").asInt(), d.path("local").asText(""),
                            d.path("link").asText(""), d.path("port").asInt(), d.path("learning").asBoolean(false)));
                }
                boolean up = false;
                for (JsonNode f : l.path("flags")) {
                    up |= "UP".equals(f.asText());
                }
                String name = l.path("ifname").asText();
                links.put(name, new Link(name, kind, l.path("master").asText(""), l.path("mtu").asInt(), up,
                        l.path("address").asText(""), vxlan));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot parse ip -j link output: " + e.getMessage(), e);
        }
        return new LinkTable(links);
    }

    public Optional<Link> get(String name) {
        return Optional.ofNullable(links.get(name));
    }

    public boolean has(String name) {
        return links.containsKey(name);
    }

    public List<Link> withPrefix(String prefix) {
        return links.values().stream().filter(l -> l.name().startsWith(prefix)).toList();
    }
}
