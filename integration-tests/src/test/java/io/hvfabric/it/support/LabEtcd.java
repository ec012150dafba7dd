package io.hvfabric.it.support;

import io.etcd.jetcd.Client;
import io.hvfabric.common.tls.TlsFiles;
import io.hvfabric.lab.Lab;
import io.hvfabric.scheduler.store.EtcdClients;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The lab's etcd as tests reach it: from the root namespace, over TLS, as the etcd user a lab certificate's CN
 * names. etcd lets only the schedulers' users (and the lab's root) in, so tests read and write as a scheduler.
 */
public final class LabEtcd {
    /** etcd's user for this scheduler's certificate may read and write the fabric's keys. */
    public static final String SCHEDULER = "sched-1";

    private LabEtcd() {}

    /** A jetcd client as {@link #SCHEDULER}, built the way the schedulers build theirs. */
    public static Client asScheduler(Lab lab) {
        return EtcdClients.connect(List.of(lab.etcdEndpoint()), tls(lab, SCHEDULER));
    }

    /**
     * An etcdctl command line against {@code endpoint} presenting the lab certificate {@code certificate}, with
     * bounded waits so that an unreachable etcd fails within seconds.
     */
    public static List<String> etcdctl(Lab lab, String endpoint, String certificate, String... args) {
        TlsFiles files = TlsFiles.inDir(lab.keyDir(certificate), certificate);
        List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint, "--dial-timeout", "2s",
                "--command-timeout", "3s", "--cacert", files.ca().toString(), "--cert", files.cert().toString(),
                "--key", files.key().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Optional<TlsFiles> tls(Lab lab, String certificate) {
        return lab.insecure() ? Optional.empty() : Optional.of(TlsFiles.inDir(lab.keyDir(certificate), certificate));
    }
}
