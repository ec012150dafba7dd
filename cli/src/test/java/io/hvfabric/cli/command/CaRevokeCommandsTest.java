package io.hvfabric.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.IssuedCertificate;
import io.hvfabric.cli.ca.Role;
import io.hvfabric.cli.testing.CliRun;
import io.hvfabric.cli.testing.InProcessScheduler;
import io.hvfabric.proto.v1.AuditPrincipal;
import io.hvfabric.proto.v1.RevokeCertificateRequest;
import io.hvfabric.proto.v1.RevokedCertificate;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class CaRevokeCommandsTest {
    @TempDir
    Path dir;

    private InProcessScheduler scheduler;

    @BeforeEach
    void start() throws Exception {
        scheduler = new InProcessScheduler();
    }

    @AfterEach
    void stop() throws Exception {
        scheduler.close();
    }

    private RevokeCertificateRequest sent() {
        assertThat(scheduler.service.requests).hasSize(1);
        return (RevokeCertificateRequest) scheduler.service.requests.get(0);
    }

    @Test
    void aFileIsSentAsItsCertificateAloneNeverAKeyBesideIt() throws Exception {
        IssuedCertificate alice = FabricCa.init(dir.resolve("ca")).issueTenant("alice", "acme");
        Path bundle = dir.resolve("alice-bundle.pem");
        Files.writeString(bundle, Files.readString(alice.certificateFile()) + Files.readString(alice.keyFile()));

        CliRun run = scheduler.run("ca", "revoke", bundle.toString(), "--reason", "laptop stolen");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("revoked certificate serial 4d\n");
        assertThat(sent().getPem()).doesNotContain("PRIVATE KEY");
        X509Certificate sentCertificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(sent().getPem().getBytes(StandardCharsets.US_ASCII)));
        assertThat(sentCertificate).isEqualTo(alice.certificate());
        assertThat(sent().getReason()).isEqualTo("laptop stolen");
    }

    @Test
    void aSerialIsSentAsTypedForTheSchedulerToRead() {
        CliRun run = scheduler.run("ca", "revoke", "--serial", "5A:3F");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(sent().getSerial()).isEqualTo("5A:3F");
        assertThat(sent().hasPem()).isFalse();
        assertThat(sent().getReason()).isEmpty();
    }

    @Test
    void revokingAgainSaysWhenAndByWhomItWasRevokedFirst() {
        scheduler.service.revoked.put("5a3f", RevokedCertificate.newBuilder().setSerial("5a3f")
                .setSubject("CN=alice,OU=tenant,O=hvfabric")
                .setRevokedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_767_225_600))
                .setRevokedBy(AuditPrincipal.newBuilder().setRole("operator").setName("bob")).build());

        CliRun run = scheduler.run("ca", "revoke", "--serial", "5a3f");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).startsWith("certificate serial 5a3f (CN=alice,OU=tenant,O=hvfabric) was already "
                + "revoked 2026-01-01 00:00:00Z (").endsWith(" ago) by operator/bob\n");
    }

    @Test
    void theListShowsEachRevocationAndJsonEveryField() {
        scheduler.run("ca", "revoke", "--serial", "5a3f", "--reason", "stolen");
        scheduler.run("ca", "revoke", "--serial", "77");

        CliRun table = scheduler.run("ca", "revoked");
        CliRun json = scheduler.run("ca", "revoked", "-o", "json");

        assertThat(table.exitCode()).as(table.stderr()).isZero();
        String[] lines = table.stdout().split("\n");
        assertThat(lines[0]).matches("SERIAL +SUBJECT +REVOKED +BY +REASON");
        assertThat(lines[1].split(" {2,}")).containsExactly("5a3f", "-", "operator/operator", "stolen");
        assertThat(lines[2].split(" {2,}")).containsExactly("77", "-", "operator/operator", "-");
        JsonArray records = JsonParser.parseString(json.stdout()).getAsJsonArray();
        assertThat(records).hasSize(2);
        JsonObject first = records.get(0).getAsJsonObject();
        assertThat(first.get("serial").getAsString()).isEqualTo("5a3f");
        assertThat(first.get("reason").getAsString()).isEqualTo("stolen");
        assertThat(first.getAsJsonObject("revokedBy").get("role").getAsString()).isEqualTo("operator");
    }

    @Test
    void namingNoCertificateOrTwoOrAnUnreadableOneIsAUsageErrorAndNothingIsAsked() throws Exception {
        Path key = FabricCa.init(dir.resolve("ca")).issueTenant("alice", "acme").keyFile();

        List<CliRun> runs = List.of(
                scheduler.run("ca", "revoke"),
                scheduler.run("ca", "revoke", key.toString(), "--serial", "5a"),
                scheduler.run("ca", "revoke", dir.resolve("gone.crt").toString()),
                scheduler.run("ca", "revoke", key.toString()));

        assertThat(runs).allSatisfy(run -> assertThat(run.exitCode()).isEqualTo(2));
        assertThat(runs.get(0).stderrLines()).containsExactly("hvctl: FILE.crt or --serial: name the certificate to "
                + "revoke");
        assertThat(runs.get(1).stderrLines()).containsExactly("hvctl: FILE.crt and --serial: give one of them, not "
                + "both");
        assertThat(runs.get(2).stderrLines()).containsExactly("hvctl: FILE.crt: no such file: " + dir.resolve("gone.crt"));
        assertThat(runs.get(3).stderrLines()).containsExactly("hvctl: FILE.crt: " + key + " does not hold a PEM "
                + "certificate");
        assertThat(scheduler.service.requests).isEmpty();
    }

    @Test
    void theSchedulersRefusalIsOneLineAndItsCodesExit() {
        scheduler.service.failEverything = Status.INVALID_ARGUMENT.withDescription("field 'serial': must be the "
                + "serial number in hex (got 'zz')");
        CliRun invalid = scheduler.run("ca", "revoke", "--serial", "zz");
        scheduler.service.failEverything = Status.PERMISSION_DENIED.withDescription("peer 'alice' (role tenant, "
                + "tenant 'acme') may not call OperatorService/RevokeCertificate");
        CliRun denied = scheduler.run("ca", "revoke", "--serial", "5a");

        assertThat(invalid.exitCode()).isEqualTo(2);
        assertThat(invalid.stderrLines()).containsExactly("hvctl: invalid argument: field 'serial': must be the "
                + "serial number in hex (got 'zz')");
        assertThat(denied.exitCode()).isEqualTo(1);
        assertThat(denied.stderrLines()).containsExactly("hvctl: permission denied: peer 'alice' (role tenant, "
                + "tenant 'acme') may not call OperatorService/RevokeCertificate");
    }
}
