package io.hvfabric.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hvfabric.lab.RepoLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real `bin/hvctl` as a process against a lab, as an operator would. */
public final class Hvctl {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one invocation printed and returned. */
    public record Result(int exitCode, String out, String err) {
        public JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("hvctl printed no JSON: " + out + " / " + err, e);
            }
        }

        public List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private final Map<String, String> env;
    private final Path labDir;

    Hvctl(Map<String, String> env, Path labDir) {
        this.env = env;
        this.labDir = labDir;
    }

    public Result run(String... args) {
        Path hvctl = RepoLayout.locate().root().resolve("bin/hvctl");
        List<String> cmd = new ArrayList<>();
        cmd.add(hvctl.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().put("HVF_LAB_DIR", labDir.toString());
        try {
            Process p = pb.start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("hvctl " + String.join(" ", args) + " did not finish");
            }
            return new Result(p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs and insists on exit code 0. */
    public Result ok(String... args) {
        Result r = run(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("hvctl " + String.join(" ", args) + " exited " + r.exitCode() + ": " + r.err());
        }
        return r;
    }

    public JsonNode json(String... args) {
        String[] withJson = new String[args.length + 2];
        System.arraycopy(args, 0, withJson, 0, args.length);
        withJson[args.length] = "-o";
        withJson[args.length + 1] = "json";
        return ok(withJson).json();
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
