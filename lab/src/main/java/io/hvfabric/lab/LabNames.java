package io.hvfabric.lab;

import java.util.regex.Pattern;

/**
 * The naming convention of everything one lab creates. Teardown after a crash sweeps by these names,
 * so every pattern is anchored: lab "lab" never matches the links of lab "lab1".
 */
public final class LabNames {
    /** Short so that the longest interface name, {@code hvf<name>h<hosts>}, fits Linux's 15 characters. */
    public static final Pattern NAME_RULE = Pattern.compile("[a-z][a-z0-9]{0,4}");

    private final String name;

    public LabNames(String name) {
        if (name == null || !NAME_RULE.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "name: must be 1-5 characters, a lowercase letter then lowercase letters or digits, got '" + name + "'");
        }
        this.name = name;
    }

    public String name() {
        return name;
    }

    public String bridge() {
        return "hvf" + name + "br";
    }

    public String namespace(int host) {
        return "hvf-" + name + "-h" + host;
    }

    /**
     * The agent of host i names the namespace that holds a network's DHCP service this plus the network's VNI
     * ({@code --network-namespace-prefix}): {@code hvf-<name>-h<i>-n<vni>}.
     */
    public String networkNamespacePrefix(int host) {
        return namespace(host) + "-n";
    }

    public String networkNamespace(int host, long vni) {
        return networkNamespacePrefix(host) + vni;
    }

    /** Root-namespace leg of a host's veth pair, enslaved to the bridge. */
    public String rootVeth(int host) {
        return "hvf" + name + "h" + host;
    }

    /** Namespace leg before it is moved into the namespace and renamed eth0. */
    public String peerVeth(int host) {
        return "hvf" + name + "p" + host;
    }

    public String hostId(int host) {
        return "host-" + host;
    }

    public String schedulerId(int replica) {
        return "sched-" + replica;
    }

    /** JVM argument every component carries so a sweep finds strays of this lab only. */
    public String jvmTag() {
        return "-Dhvf.lab=" + name;
    }

    public String etcdMemberName() {
        return "hvf-" + name;
    }

    /** A host's namespace, or one of the per-network namespaces its agent created. */
    public boolean isNamespace(String candidate) {
        return Pattern.matches(Pattern.quote("hvf-" + name + "-h") + "\\d+(-n\\d+)?", candidate);
    }

    public boolean isNetworkNamespace(String candidate) {
        return Pattern.matches(Pattern.quote("hvf-" + name + "-h") + "\\d+-n\\d+", candidate);
    }

    public boolean isLink(String candidate) {
        return candidate.equals(bridge())
                || Pattern.matches(Pattern.quote("hvf" + name) + "[hp]\\d+", candidate);
    }
}
