package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hvfabric.cli.ca.FabricCa;
import io.hvfabric.cli.ca.Role;
import io.hvfabric.common.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationTlsTest {
    @TempDir
    Path tlsDir;
    private FabricCa ca;
    private TlsFiles agent;

    @BeforeEach
    void agentPair() {
        ca = FabricCa.init(tlsDir);
        ca.issue("host-1", Role.AGENT, List.of("10.0.0.1"), List.of());
        agent = TlsFiles.inDir(tlsDir, "host-1");
    }

    @Test
    void theMigrationPairIsFoundBesideTheAgentsByConvention() {
        ca.issue("host-1", Role.MIGRATION, List.of("10.0.0.1"), List.of());

        TlsFiles migration = MigrationTls.besideAgent(agent, "host-1");

        assertThat(migration).isEqualTo(new TlsFiles(tlsDir.resolve("ca.crt"), tlsDir.resolve("host-1-migration.crt"),
                tlsDir.resolve("host-1-migration.key")));
        assertThat(MigrationTls.forMigration(true, Optional.of(migration))).contains(migration);
    }

    @Test
    void withoutAMigrationCertificateTlsMigrationIsRefusedNeverServedWithTheAgentsKey() {
        TlsFiles migration = MigrationTls.besideAgent(agent, "host-1");

        assertThatThrownBy(() -> MigrationTls.forMigration(true, Optional.of(migration)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("no migration certificate: " + tlsDir.resolve("host-1-migration.crt"))
                .hasMessageContaining("hvctl ca issue <host-id> --role migration");
    }

    @Test
    void theAgentsPairCopiedUnderTheMigrationNameIsRefused() throws Exception {
        Files.copy(agent.cert(), tlsDir.resolve("host-1-migration.crt"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(agent.key(), tlsDir.resolve("host-1-migration.key"), StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> MigrationTls.forMigration(true, Optional.of(MigrationTls.besideAgent(agent, "host-1"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith("has role 'agent', not 'migration'; QEMU gets only a certificate issued with "
                        + "--role migration");
    }

    @Test
    void plaintextOnlyBetweenInsecureAgents() {
        TlsFiles migration = MigrationTls.besideAgent(agent, "host-1");

        assertThat(MigrationTls.forMigration(false, Optional.empty())).isEmpty();
        assertThatThrownBy(() -> MigrationTls.forMigration(true, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--insecure");
        assertThatThrownBy(() -> MigrationTls.forMigration(false, Optional.of(migration)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("tls: must be true");
    }
}
