package io.hvfabric.scheduler.vsi;

import io.hvfabric.common.error.FabricException;
import io.hvfabric.proto.v1.ExecVsiRequest;
import java.nio.charset.StandardCharsets;

/**
 * The rules for a command run in a guest ({@code ExecVsi}), checked before anything reaches an agent. The bounds keep
 * one request small enough for the guest agent's virtio-serial channel (argv and stdin travel base64 in JSON) and a
 * blocked call short enough to hold.
 */
public final class ExecRequests {
    static final int MAX_ARGS = 256;
    static final int MAX_ARG_BYTES = 4096;
    static final long DEFAULT_TIMEOUT_MS = 10_000;
    static final long MAX_TIMEOUT_MS = 300_000;
    static final int MAX_STDIN_BYTES = 64 * 1024;

    private ExecRequests() {}

    /** The request with its defaults filled in (timeout); throws INVALID_ARGUMENT naming the field and the rule. */
    public static ExecVsiRequest validated(ExecVsiRequest request) {
        if (request.getName().isEmpty()) {
            throw FabricException.invalidArgument("name", "must not be empty");
        }
        int argc = request.getCommandCount();
        if (argc == 0) {
            throw FabricException.invalidArgument("command", "must name a program to run (argv[0])");
        }
        if (argc > MAX_ARGS) {
            throw FabricException.invalidArgument("command", "at most %d arguments (got %d)", MAX_ARGS, argc);
        }
        if (request.getCommand(0).isEmpty()) {
            throw FabricException.invalidArgument("command", "argv[0], the program, must not be empty");
        }
        for (int i = 0; i < argc; i++) {
            String arg = request.getCommand(i);
            if (arg.indexOf('\0') >= 0) {
                throw FabricException.invalidArgument("command", "argv[%d] must not contain a NUL byte", i);
            }
            int bytes = arg.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_ARG_BYTES) {
                throw FabricException.invalidArgument("command", "argv[%d] must be at most %d bytes (got %d)", i,
                        MAX_ARG_BYTES, bytes);
            }
        }
        long timeoutMs = request.getTimeoutMs();
        if (timeoutMs < 0) {
            throw FabricException.invalidArgument("timeout_ms", "must not be negative (got %d)", timeoutMs);
        }
        if (timeoutMs > MAX_TIMEOUT_MS) {
            throw FabricException.invalidArgument("timeout_ms", "must be at most %d (5 min) (got %d)", MAX_TIMEOUT_MS,
                    timeoutMs);
        }
        if (request.getStdin().size() > MAX_STDIN_BYTES) {
            throw FabricException.invalidArgument("stdin", "must be at most %d bytes (got %d)", MAX_STDIN_BYTES,
                    request.getStdin().size());
        }
        return timeoutMs == 0 ? request.toBuilder().setTimeoutMs(DEFAULT_TIMEOUT_MS).build() : request;
    }
}
