package io.hvfabric.lab;

import java.util.List;

/**
 * Turns on etcd's authentication so that only the schedulers and the lab itself may use it. With
 * {@code --client-cert-auth} etcd takes the CN of the client certificate as the user, so users need no password:
 * {@code root} (whose certificate only the lab's CA directory holds) and one user per scheduler certificate, each
 * with read and write on the fabric's keys. Any other certificate of the lab's CA, an agent's, is refused.
 */
final class EtcdAuthorization {
    static final String ROOT = LabCertificates.ETCD_ROOT;
    static final String SCHEDULER_ROLE = "hvfabric-scheduler";
    /** The schedulers' default --prefix; their leader election keys lie under it too, and leases need no key. */
    static final String KEY_PREFIX = "/hvf/v1/";

    private final Etcdctl etcdctl;

    /** {@code etcdctl} must present the root certificate. */
    EtcdAuthorization(Etcdctl etcdctl) {
        this.etcdctl = etcdctl;
    }

    /** For a fresh etcd: the lab's own etcd data directory is new on every `lab up`. */
    void enable(List<String> schedulerUsers) {
        etcdctl.run("user", "add", ROOT, "--no-password");
        etcdctl.run("role", "add", "root");
        etcdctl.run("user", "grant-role", ROOT, "root");
        etcdctl.run("role", "add", SCHEDULER_ROLE);
        etcdctl.run("role", "grant-permission", SCHEDULER_ROLE, "--prefix", "readwrite", KEY_PREFIX);
        for (String user : schedulerUsers) {
            etcdctl.run("user", "add", user, "--no-password");
            etcdctl.run("user", "grant-role", user, SCHEDULER_ROLE);
        }
        etcdctl.run("auth", "enable");
    }
}
