package io.hvfabric.lab;

import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.Role;
import java.nio.file.Path;
import java.util.List;

/** The lab's CA and the certificate of every component and of the operator, in DIR/tls. */
final class LabCertificates {
    static final String OPERATOR = "operator";
    /** etcd's member certificate, for its clients and its peers. */
    static final String ETCD = "etcd";
    /** etcd takes a client certificate's CN as its user: this one is etcd's root, the lab's own. */
    static final String ETCD_ROOT = "root";

    private final Path dir;
    private FabricCa ca;

    LabCertificates(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** A fresh CA per `lab up`: a lab's certificates never outlive it. */
    void initCa() {
        ca = FabricCa.init(dir, true);
        ca.issue(OPERATOR, Role.OPERATOR, List.of(), List.of());
    }

    /** Server certificates carry the component's own address; the CA adds 127.0.0.1 and localhost. */
    void issueScheduler(String id, String address) {
        ca.issue(id, Role.SCHEDULER, List.of(address), List.of(id));
    }

    /**
     * The agent's pair and, beside it as {@code <host-id>-migration.*}, the host's migration pair: the only key its
     * QEMUs get (role migration, which no gRPC service accepts), naming the host's address only.
     */
    void issueAgent(String hostId, String address) {
        ca.issue(hostId, Role.AGENT, List.of(address), List.of(hostId));
        ca.issue(hostId, Role.MIGRATION, List.of(address), List.of());
    }

    /** etcd serves on the root namespace's loopback only, so its certificate names nothing else. */
    void issueEtcd() {
        ca.issue(ETCD, Role.ETCD, List.of(LoopbackNetwork.LOOPBACK), List.of());
        ca.issue(ETCD_ROOT, Role.ETCD, List.of(), List.of());
    }

    /** The CA, NAME.crt and NAME.key. */
    CertificateFiles files(String name) {
        return new CertificateFiles(dir.resolve(FabricCa.CERTIFICATE_FILE), dir.resolve(name + ".crt"),
                dir.resolve(name + ".key"));
    }
}
