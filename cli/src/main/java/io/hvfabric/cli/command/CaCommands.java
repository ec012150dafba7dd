package io.hvfabric.cli.command;

import io.hvfabric.cli.CliContext;
import io.hvfabric.cli.CliException;
import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.FabricCaException;
import io.hvfabric.cli.ca.IssuedCertificate;
import io.hvfabric.cli.ca.PemFiles;
import io.hvfabric.cli.ca.Role;
import io.hvfabric.cli.client.SchedulerClient;
import io.hvfabric.cli.output.RevocationViews;
import io.hvfabric.proto.v1.ListRevokedCertificatesRequest;
import io.hvfabric.proto.v1.RevokeCertificateRequest;
import io.hvfabric.proto.v1.RevokeCertificateResponse;
import io.hvfabric.proto.v1.RevokedCertificate;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The fabric CA: init and issue work on local files only, no scheduler involved; revoke and revoked ask the
 * scheduler, which keeps the deny list every replica and agent honours.
 */
@Command(name = "ca", description = "Create the fabric CA and issue certificates from it; revoke them.",
        subcommands = {CaCommands.Init.class, CaCommands.Issue.class, CaCommands.Revoke.class,
            CaCommands.Revoked.class})
final class CaCommands {

    @Command(name = "init", description = "Create a CA (EC P-256, 10 years) as DIR/ca.crt and DIR/ca.key.")
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR")
        Path dir;

        @Option(names = "--force", description = "Replace an existing CA (certificates it issued stop being trusted).")
        boolean force;

        @Override
        public Integer call() {
            FabricCa ca = translate(() -> FabricCa.init(dir, force));
            X509Certificate cert = ca.certificate();
            context(spec).out().printf("created CA '%s' in %s (valid until %s)%n",
                    cert.getSubjectX500Principal().getName(), dir, cert.getNotAfter().toInstant());
            return 0;
        }
    }

    @Command(name = "issue", description = "Issue DIR/NAME.crt and DIR/NAME.key (DIR/NAME-migration.* for role migration)"
            + " signed by the CA in DIR (1 year).")
    static final class Issue implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "Common name, also the file name.")
        String name;

        @Option(names = "--dir", required = true, paramLabel = "DIR")
        Path dir;

        @Option(names = "--role", required = true, paramLabel = "scheduler|agent|operator|etcd|migration|tenant")
        Role role;

        @Option(names = "--tenant", paramLabel = "TENANT", description = "With --role tenant (and only then): the "
                + "tenant NAME acts for, written as the URI SAN spiffe://hvfabric/tenant/TENANT/user/NAME.")
        String tenant;

        @Option(names = "--ip", paramLabel = "IP", description = "IP SAN; repeatable (migration needs one). Scheduler, agent and etcd get 127.0.0.1 too.")
        List<String> ips = new ArrayList<>();

        @Option(names = "--dns", paramLabel = "NAME", description = "DNS SAN; repeatable. Scheduler, agent and etcd get localhost too.")
        List<String> dnsNames = new ArrayList<>();

        @Override
        public Integer call() {
            requireTenantOnlyForTenants();
            IssuedCertificate issued = translate(() -> role == Role.TENANT
                    ? FabricCa.load(dir).issueTenant(name, tenant)
                    : FabricCa.load(dir).issue(name, role, ips, dnsNames));
            context(spec).out().printf("issued %s and %s for %s (%s%s, valid until %s)%n",
                    issued.certificateFile(), issued.keyFile(), name, role.label(), sans(issued.certificate()),
                    issued.certificate().getNotAfter().toInstant());
            return 0;
        }

        /** A tenant certificate names its tenant and no addresses (it only connects); no other role names a tenant. */
        private void requireTenantOnlyForTenants() {
            if (role == Role.TENANT && tenant == null) {
                throw CliException.usage("--tenant: required with --role tenant");
            }
            if (role != Role.TENANT && tenant != null) {
                throw CliException.usage("--tenant: only with --role tenant");
            }
            if (role == Role.TENANT && !(ips.isEmpty() && dnsNames.isEmpty())) {
                throw CliException.usage("--ip/--dns: a tenant certificate names no addresses (it only connects)");
            }
        }

        private static String sans(X509Certificate certificate) {
            try {
                Collection<List<?>> names = certificate.getSubjectAlternativeNames();
                if (names == null) {
                    return "";
                }
                List<String> values = new ArrayList<>();
                names.forEach(entry -> values.add(String.valueOf(entry.get(1))));
                return ", SANs " + String.join(" ", values);
            } catch (CertificateParsingException e) {
                return "";
            }
        }
    }

    @Command(name = "revoke", description = "Revoke a certificate (operators only): every scheduler refuses it within "
            + "1s, every agent within one heartbeat interval, on connections already open too. Revoking it again "
            + "changes nothing.")
    static final class Revoke extends ClientCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE.crt",
                description = "The certificate (PEM); only the certificate is sent, never a key beside it.")
        Path file;

        @Option(names = "--serial", paramLabel = "HEX",
                description = "Its serial number instead, when the file is gone (hex; colons as openssl prints them).")
        String serial;

        @Option(names = "--reason", paramLabel = "TEXT",
                description = "Why, for the record (at most 200 printable ASCII characters).")
        String reason;

        private String pem;

        @Override
        void validate() {
            if (file == null && serial == null) {
                throw CliException.usage("FILE.crt or --serial: name the certificate to revoke");
            }
            if (file != null && serial != null) {
                throw CliException.usage("FILE.crt and --serial: give one of them, not both");
            }
            if (file != null) {
                pem = certificatePem(file);
            }
        }

        @Override
        int execute(SchedulerClient client, Printer printer) {
            RevokeCertificateRequest.Builder request = RevokeCertificateRequest.newBuilder();
            if (pem != null) {
                request.setPem(pem);
            } else {
                request.setSerial(serial);
            }
            if (reason != null) {
                request.setReason(reason);
            }
            RevokeCertificateResponse answer = client.call(stub -> stub.revokeCertificate(request.build()));
            printer.object(answer, () -> RevocationViews.revoked(answer, context().clock().instant()));
            return 0;
        }

        private static String certificatePem(Path file) {
            try {
                return PemFiles.certificatePem(PemFiles.readCertificate(file));
            } catch (NoSuchFileException e) {
                throw CliException.usage("FILE.crt: no such file: " + file, e);
            } catch (IOException e) {
                throw CliException.usage("FILE.crt: " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "revoked", description = "List the revoked certificates, oldest revocation first (operators only).")
    static final class Revoked extends ClientCommand {
        @Override
        int execute(SchedulerClient client, Printer printer) {
            List<RevokedCertificate> revoked = client.call(stub -> stub.listRevokedCertificates(
                    ListRevokedCertificatesRequest.getDefaultInstance())).getCertificatesList();
            printer.array(revoked, () -> RevocationViews.list(revoked, context().clock().instant()));
            return 0;
        }
    }

    /** Bad names or addresses are usage errors; a missing or existing CA is a failure. */
    private static <T> T translate(Supplier<T> action) {
        try {
            return action.get();
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage(), e);
        } catch (FabricCaException e) {
            throw CliException.failure(e.getMessage(), e);
        }
    }

    private static CliContext context(CommandSpec spec) {
        return ((HvctlCommand) spec.root().userObject()).context();
    }
}
