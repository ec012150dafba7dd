package io.hvfabric.agent.network;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the data plane's tools (ip, bridge, tc, nft, sysctl, dnsmasq), optionally behind a prefix such as
 * {@code ip netns exec <host>} so one JVM can drive several hosts (tests). Output goes to files, not pipes: a tool that
 * daemonizes (dnsmasq) may keep the descriptors it inherited, and reading a pipe until EOF would then never end.
 */
public final class CommandRunner {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    /** An agent started without sbin in its PATH (from a plain user shell, then sudo) still finds ip, nft, tc. */
    private static final List<String> SBIN = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");
    private static final Map<String, String> RESOLVED = new ConcurrentHashMap<>();

    private final List<String> prefix;
    private final Duration timeout;

    private CommandRunner(List<String> prefix, Duration timeout) {
        this.prefix = List.copyOf(prefix);
        this.timeout = timeout;
    }

    /** Commands run in the agent's own namespaces. */
    public static CommandRunner local() {
        return new CommandRunner(List.of(), DEFAULT_TIMEOUT);
    }

    /** Commands run inside the named network namespace (through {@code ip netns exec}). */
    public static CommandRunner inNetns(String netns) {
        return new CommandRunner(List.of("ip", "netns", "exec", netns), DEFAULT_TIMEOUT);
    }

    public List<String> prefix() {
        return prefix;
    }

    /** @throws NetworkCommandException on a non-zero exit or a timeout */
    public CommandResult run(String... argv) {
        return run(List.of(argv), null);
    }

    /** @param stdin fed to the command (nft -f -, ip -batch -), or null */
    public CommandResult run(List<String> argv, String stdin) {
        CommandResult result = attempt(argv, stdin);
        if (!result.ok()) {
            throw new NetworkCommandException(result);
        }
        return result;
    }

    /** Like {@link #run} but a failure is returned, for commands whose failure is an answer ("does not exist"). */
    public CommandResult attempt(String... argv) {
        return attempt(List.of(argv), null);
    }

    public CommandResult attempt(List<String> argv, String stdin) {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(argv);
        full.set(0, resolve(full.get(0)));
        Path out = null;
        Path err = null;
        Path in = null;
        try {
            out = Files.createTempFile("hvf-cmd", ".out");
            err = Files.createTempFile("hvf-cmd", ".err");
            ProcessBuilder pb = new ProcessBuilder(full).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("PATH", pathWithSbin(pb.environment().get("PATH")));
            pb.environment().put("LC_ALL", "C");
            if (stdin != null) {
                in = Files.createTempFile("hvf-cmd", ".in");
                Files.writeString(in, stdin);
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
                return new CommandResult(full, -1, read(out), "timed out after " + timeout.toSeconds() + " s; "
                        + read(err));
            }
            return new CommandResult(full, p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            return new CommandResult(full, -1, "", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CommandResult(full, -1, "", "interrupted");
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
            deleteQuietly(in);
        }
    }

    /** The absolute path of a tool, looked up in PATH and the sbin directories; the name itself if nowhere. */
    static String resolve(String tool) {
        if (tool.contains("/")) {
            return tool;
        }
        return RESOLVED.computeIfAbsent(tool, t -> {
            for (String dir : pathWithSbin(System.getenv("PATH")).split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, t))) {
                    return Path.of(dir, t).toString();
                }
            }
            return t;
        });
    }

    /** True if {@code tool} is an executable in PATH or an sbin directory. */
    static boolean available(String tool) {
        return resolve(tool).contains("/");
    }

    private static String pathWithSbin(String path) {
        StringBuilder sb = new StringBuilder(path == null || path.isEmpty() ? "/usr/bin:/bin" : path);
        for (String dir : SBIN) {
            if (!(":" + sb + ":").contains(":" + dir + ":")) {
                sb.append(':').append(dir);
            }
        }
        return sb.toString();
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }

    @Override
    public String toString() {
        return prefix.isEmpty() ? "local" : String.join(" ", prefix);
    }
}
