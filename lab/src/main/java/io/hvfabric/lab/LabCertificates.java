package io.hvfabric.lab;

import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.IssuedCertificate;
import io.hvfabric.cli.ca.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The lab's CA and the certificate of every component and of the operator, one directory each under DIR/tls:
 * {@code tls/ca} holds the CA's key and nothing a process reads; {@code tls/NAME} holds {@code ca.crt},
 * {@code NAME.crt} and {@code NAME.key} (a host also its {@code NAME-migration.*}), and each process is given only
 * its own directory, so a stolen agent directory yields one host's keys, never the CA's or etcd's root.
 */
final class LabCertificates {
    static final String OPERATOR = "operator";
    /** etcd's member certificate, for its clients and its peers. */
    static final String ETCD = "etcd";
    /** etcd takes a client certificate's CN as its user: this one is etcd's root, the lab's own. */
    static final String ETCD_ROOT = "root";
    static final String CA_DIR = "ca";

    private final Path dir;
    private FabricCa ca;

    LabCertificates(Path dir) {
        this.dir = dir;
    }

    /** The directory holding the CA: its key never leaves it. */
    Path caDir() {
        return dir.resolve(CA_DIR);
    }

    /** The directory of {@code name}'s own credentials: the one a process started as {@code name} is given. */
    Path dirOf(String name) {
        return dir.resolve(name);
    }

    /** A fresh CA per `lab up`: a lab's certificates never outlive it. */
    void initCa() {
        ca = FabricCa.init(privateDir(caDir()), true);
        deal(OPERATOR, ca.issue(OPERATOR, Role.OPERATOR, List.of(), List.of()));
    }

    /** Server certificates carry the component's own address; the CA adds 127.0.0.1 and localhost. */
    void issueScheduler(String id, String address) {
        deal(id, ca.issue(id, Role.SCHEDULER, List.of(address), List.of(id)));
    }

    /**
     * The agent's pair and, beside it as {@code <host-id>-migration.*}, the host's migration pair: the only key its
     * QEMUs get (role migration, which no gRPC service accepts), naming the host's address only.
     */
    void issueAgent(String hostId, String address) {
        deal(hostId, ca.issue(hostId, Role.AGENT, List.of(address), List.of(hostId)));
        deal(hostId, ca.issue(hostId, Role.MIGRATION, List.of(address), List.of()));
    }

    /** etcd serves on the root namespace's loopback only, so its certificate names nothing else. */
    void issueEtcd() {
        deal(ETCD, ca.issue(ETCD, Role.ETCD, List.of(LoopbackNetwork.LOOPBACK), List.of()));
        deal(ETCD_ROOT, ca.issue(ETCD_ROOT, Role.ETCD, List.of(), List.of()));
    }

    /** A certificate for a client the lab does not start (a test's tenant, an attacker's second host-2...). */
    void issueClient(String name, Role role) {
        deal(name, load().issue(name, role, List.of(), List.of()));
    }

    /** A tenant user's certificate (role tenant, the tenant in its URI SAN) in its own directory. */
    void issueTenant(String user, String tenant) {
        deal(user, load().issueTenant(user, tenant));
    }

    /** {@code tls/NAME/ca.crt}, {@code NAME.crt} and {@code NAME.key}; not checked for existence. */
    CertificateFiles files(String name) {
        Path own = dirOf(name);
        return new CertificateFiles(own.resolve(FabricCa.CERTIFICATE_FILE), own.resolve(name + ".crt"),
                own.resolve(name + ".key"));
    }

    private FabricCa load() {
        if (ca == null) {
            ca = FabricCa.load(caDir());
        }
        return ca;
    }

    /** Moves a pair the CA wrote beside its key into {@code owner}'s own directory, with the CA certificate. */
    private void deal(String owner, IssuedCertificate issued) {
        Path target = privateDir(dirOf(owner));
        try {
            Files.copy(issued.caCertificateFile(), target.resolve(FabricCa.CERTIFICATE_FILE),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.move(issued.certificateFile(), target.resolve(issued.certificateFile().getFileName()),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.move(issued.keyFile(), target.resolve(issued.keyFile().getFileName()),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LabException("tls: cannot place the certificate of '" + owner + "' in " + target + ": "
                    + e.getMessage(), e);
        }
    }

    private static Path privateDir(Path path) {
        try {
            Files.createDirectories(path);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
            return path;
        } catch (IOException e) {
            throw new LabException("tls: cannot create " + path + ": " + e.getMessage(), e);
        }
    }
}
