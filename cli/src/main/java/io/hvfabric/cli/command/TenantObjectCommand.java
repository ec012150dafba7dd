package io.hvfabric.cli.command;

import io.hvfabric.cli.CliException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A command on one object a tenant owns (a network, a volume): its NAME, and the tenant an operator acts in. The
 * scheduler, not this option, decides what the caller may touch: a tenant's certificate always means its own tenant.
 */
abstract class TenantObjectCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--tenant", paramLabel = "TENANT", defaultValue = "",
            description = "The ${PARENT-COMMAND-NAME}'s tenant (operators; left out: the operators' own). A tenant's "
                    + "certificate always means its own tenant.")
    String tenant;

    /** NAME given but blank: refused before any call. */
    void requireName() {
        if (name.isBlank()) {
            throw CliException.usage("NAME: must not be empty");
        }
    }

    /** What a delete prints: {@code deleted KIND NAME[ of tenant T]}, from the scheduler's answer. */
    static String deletedLine(String kind, String name, String tenant) {
        return "deleted " + kind + " " + name + (tenant.isEmpty() ? "" : " of tenant " + tenant) + "\n";
    }
}
