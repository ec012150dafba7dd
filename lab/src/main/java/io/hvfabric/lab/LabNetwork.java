package io.hvfabric.lab;

import java.util.List;
import java.util.Optional;

/** Where the lab's infrastructure (etcd, schedulers) and each host live, and how to enter a host. */
public interface LabNetwork {
    /** Address the schedulers listen on, reachable from every host (etcd stays on the root namespace's loopback). */
    String infraAddress();

    /** Address host i (1-based) listens on. */
    String hostAddress(int host);

    /** Network namespace of host i, if hosts are namespaces. */
    Optional<String> hostNamespace(int host);

    /** Prefix that runs a command inside host i. */
    List<String> enterHost(int host);

    /** Whether ports on host addresses can be probed for freedom from here (false inside namespaces). */
    boolean hostPortsVisible();

    /** Creates the plumbing for the given number of hosts. */
    void create(int hosts);

    /** Removes everything this lab's naming convention matches; idempotent, safe after a crash. */
    void destroy();

    /** Third octet of the lab subnet, 0 when not applicable. */
    int subnet();

    String mode();
}
