package io.hvfabric.cli.command;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/**
 * hvctl's top-level command groups, added to the root only when needed. Picocli builds each command's model by
 * reflection on its annotations, and for the whole tree that was a third of a short call's start-up; so a command
 * line that names a group gets that group alone, and one that names none (help, a typo, no arguments) gets them all,
 * for the listing and the same errors as ever.
 */
public final class CommandGroups {
    /** In the order the root's help lists them. */
    private static final Map<String, Class<?>> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put("host", HostCommands.class);
        GROUPS.put("cluster", ClusterCommands.class);
        GROUPS.put("vsi", VsiCommands.class);
        GROUPS.put("migration", MigrationCommands.class);
        GROUPS.put("drain", MaintenanceCommands.DrainControl.class);
        GROUPS.put("rebalance", MaintenanceCommands.Rebalance.class);
        GROUPS.put("image", ImageCommands.class);
        GROUPS.put("tenant", TenantCommands.class);
        GROUPS.put("network", NetworkCommands.class);
        GROUPS.put("volume", VolumeCommands.class);
        GROUPS.put("audit", AuditCommand.class);
        GROUPS.put("events", EventsCommand.class);
        GROUPS.put("ca", CaCommands.class);
        GROUPS.put("completion", CompletionCommand.class);
    }

    /** The root's options whose value may be the next argument, which is then no group's name. */
    private static final Set<String> VALUE_OPTIONS =
            Set.of("--scheduler", "-o", "--output", "--timeout", "--tls-ca", "--tls-cert", "--tls-key", "--tls-dir");

    private CommandGroups() {}

    /** Adds to {@code root} the group {@code args} names, or every group; before any setting that must reach them. */
    public static void addTo(CommandLine root, String... args) {
        Class<?> named = named(args);
        GROUPS.forEach((name, group) -> {
            if (named == null || named == group) {
                root.addSubcommand(name, group);
            }
        });
    }

    /** The group the first positional argument names, or null. */
    static Class<?> named(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (VALUE_OPTIONS.contains(arg)) {
                i++;
            } else if (!arg.startsWith("-")) {
                return GROUPS.get(arg);
            }
        }
        return null;
    }
}
