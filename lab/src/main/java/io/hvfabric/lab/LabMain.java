package io.hvfabric.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * bin/lab: {@code up}, {@code status}, {@code down}, and {@code kill} / {@code restart} of one component for demos. Exit codes: 0 success, 1 failure (or, for status, a dead
 * component), 2 bad usage, 3 no lab in the directory (status).
 */
@Command(name = "lab", mixinStandardHelpOptions = true, subcommands = {LabMain.Up.class, LabMain.Status.class,
        LabMain.Down.class, LabMain.Kill.class, LabMain.Restart.class}, description = "Runs a local hvfabric: etcd, two schedulers and N node agents.")
public final class LabMain implements Runnable {
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_NO_LAB = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: up, status or down");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        CommandLine cli = new CommandLine(new LabMain());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            cmd.getErr().println("lab " + cmd.getCommandName() + ": " + message);
            return e instanceof IllegalArgumentException ? EXIT_USAGE : EXIT_FAILURE;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("lab: " + e.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }

    /** Options every subcommand shares. */
    static final class Where {
        @Option(names = "--dir", description = "State directory (default: $HVF_LAB_DIR or <repo>/.lab).")
        Path dir;

        Path resolve() {
            return dir != null ? dir : LabConfig.defaultDir(RepoLayout.locate());
        }
    }

    @Command(name = "up", description = "Starts a lab and waits until every host is READY.")
    static final class Up implements Callable<Integer> {
        @CommandLine.Mixin
        Where where = new Where();

        @Option(names = "--hosts", defaultValue = "3", description = "Number of hosts (node agents), default ${DEFAULT-VALUE}.")
        int hosts;

        @Option(names = "--name", defaultValue = LabConfig.DEFAULT_NAME, description = "Lab name, 1-5 of [a-z0-9].")
        String name;

        @Option(names = "--insecure", description = "Plaintext gRPC and etcd instead of mutual TLS, and no etcd authentication.")
        boolean insecure;

        @Option(names = "--subnet", defaultValue = "0", description = "k of 10.88.k.0/24 (default: a free one).")
        int subnet;

        @Option(names = "--network", defaultValue = "AUTO",
                description = "auto (namespaces as root on Linux), namespaces or loopback.")
        String network;

        @Option(names = "--scheduler-arg", description = "Extra scheduler arguments, split on spaces; repeatable, e.g. --scheduler-arg='--rebalance-interval 30'.")
        List<String> schedulerArgs = new ArrayList<>();

        @Option(names = "--agent-arg", description = "Extra agent arguments, split on spaces; repeatable, e.g. --agent-arg='--driver fake'.")
        List<String> agentArgs = new ArrayList<>();

        @Option(names = "--accel", defaultValue = "auto",
                description = "Agents' accelerator: auto (KVM only where a standard kernel boots under it), kvm or tcg.")
        String accel;

        @Option(names = "--timeout", defaultValue = "90", description = "Seconds to wait for READY hosts.")
        long timeoutSeconds;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (!List.of("auto", "kvm", "tcg").contains(accel)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--accel: must be auto, kvm or tcg (got '" + accel + "')");
            }
            List<String> agentArgs = new ArrayList<>(List.of("--accel", accel));
            agentArgs.addAll(split(this.agentArgs));
            LabConfig config = LabConfig.builder().hosts(hosts).dir(where.resolve()).name(name).insecure(insecure)
                    .subnet(subnet).network(parseNetwork(network)).agentArgs(agentArgs).schedulerArgs(split(schedulerArgs))
                    .readyTimeout(Duration.ofSeconds(timeoutSeconds)).build();
            System.err.println("lab up: starting '" + config.name() + "' with " + hosts + " hosts in " + config.dir());
            // Ctrl-C while starting: components run in their own sessions, so remove them here rather than leak.
            AtomicBoolean finished = new AtomicBoolean();
            Thread interrupted = new Thread(() -> {
                if (!finished.get()) {
                    Lab.sweep(config.dir(), config.name());
                }
            });
            Runtime.getRuntime().addShutdownHook(interrupted);
            Lab lab;
            try {
                lab = Lab.up(config); // cleans up after itself when it fails
            } finally {
                finished.set(true);
            }
            Runtime.getRuntime().removeShutdownHook(interrupted);
            for (Map.Entry<String, String> e : lab.hvctlEnvironment().entrySet()) {
                System.out.println(e.getKey() + "=" + e.getValue());
            }
            return 0;
        }

        private static NetworkMode parseNetwork(String text) {
            try {
                return NetworkMode.valueOf(text.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("network: must be auto, namespaces or loopback, got '" + text + "'");
            }
        }

        static List<String> split(List<String> args) {
            return args.stream().flatMap(a -> Arrays.stream(a.trim().split("\\s+"))).filter(a -> !a.isEmpty()).toList();
        }
    }

    @Command(name = "status", description = "Lists the lab's components and whether each is alive.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Mixin
        Where where = new Where();

        @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json.")
        String output;

        @Override
        public Integer call() throws Exception {
            if (!output.equals("table") && !output.equals("json")) {
                throw new IllegalArgumentException("output: must be table or json, got '" + output + "'");
            }
            Path dir = where.resolve();
            Optional<Lab> lab = Lab.attach(dir);
            if (lab.isEmpty()) {
                System.err.println("lab status: no lab in " + dir);
                return EXIT_NO_LAB;
            }
            LabStatus status = lab.get().status();
            if (output.equals("json")) {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(status.components()));
            } else {
                System.out.printf("%-10s %-8s %-8s %-22s %-14s %s%n", "KIND", "ID", "PID", "ADDRESS", "NAMESPACE", "ALIVE");
                for (LabStatus.Component c : status.components()) {
                    System.out.printf("%-10s %-8s %-8d %-22s %-14s %s%n", c.kind().label(), c.id(), c.pid(), c.address(),
                            c.namespace() == null ? "-" : c.namespace(), c.alive() ? "yes" : "NO");
                }
            }
            if (status.missingAgents() > 0) {
                System.err.println("lab status: " + status.missingAgents() + " of " + status.hosts()
                        + " agents were never started (crashed `lab up`?); run `bin/lab down`");
            }
            return status.healthy() ? 0 : EXIT_FAILURE;
        }
    }

    @Command(name = "down", description = "Stops the lab and removes what it created (keeps logs). Works after a crash.")
    static final class Down implements Callable<Integer> {
        @CommandLine.Mixin
        Where where = new Where();

        @Option(names = "--name", description = "Lab name to sweep when the state file is gone (default: from state, else 'lab').")
        String name;

        @Override
        public Integer call() {
            Path dir = where.resolve();
            String target = name;
            if (target == null) {
                try {
                    target = LabState.load(dir).map(LabState::name).orElse(LabConfig.DEFAULT_NAME);
                } catch (LabException unreadable) {
                    target = LabConfig.DEFAULT_NAME;
                }
            }
            Lab.sweep(dir, target);
            System.err.println("lab down: '" + target + "' removed (logs kept in " + dir.resolve("logs") + ")");
            return 0;
        }
    }

    private static Lab attachOrFail(Where where) {
        Path dir = where.resolve();
        return Lab.attach(dir).orElseThrow(() -> new LabException("no lab in " + dir));
    }

    @Command(name = "kill", description = "SIGKILLs one component (etcd, sched-N, host-N), as a crash would.")
    static final class Kill implements Callable<Integer> {
        @CommandLine.Mixin
        Where where = new Where();

        @CommandLine.Parameters(paramLabel = "ID", description = "Component id, as `lab status` lists it.")
        String id;

        @Override
        public Integer call() {
            attachOrFail(where).kill9(id);
            System.err.println("lab kill: " + id + " killed");
            return 0;
        }
    }

    @Command(name = "restart", description = "Starts one component again with its recorded command line.")
    static final class Restart implements Callable<Integer> {
        @CommandLine.Mixin
        Where where = new Where();

        @CommandLine.Parameters(paramLabel = "ID", description = "Component id, as `lab status` lists it.")
        String id;

        @Override
        public Integer call() {
            Lab lab = attachOrFail(where);
            lab.restart(id);
            System.err.println("lab restart: " + id + " started as pid " + lab.component(id).pid());
            return 0;
        }
    }
}
