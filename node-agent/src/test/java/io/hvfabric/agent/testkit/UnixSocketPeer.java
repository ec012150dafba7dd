package io.hvfabric.agent.testkit;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The server end of a unix socket that plays scripts against the client under test, one script per accepted
 * connection, in order, on its own thread: what QEMU's QMP and guest agent sockets look like to the agent. The
 * protocol peers ({@code ScriptedQmpPeer}, {@code ScriptedQgaPeer}) put their sessions on top.
 */
public final class UnixSocketPeer implements AutoCloseable {
    /** Plays one connection, seen from the server side. */
    @FunctionalInterface
    public interface Script {
        void run(SocketChannel channel) throws Exception;
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile SocketChannel accepted;

    public UnixSocketPeer(Path socket) throws IOException {
        this.socket = socket;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
    }

    public Path socket() {
        return socket;
    }

    /** Accepts one connection per script; a failing script ends the play and is rethrown by {@link #awaitScript}. */
    public UnixSocketPeer play(List<Script> scripts) {
        Thread t = new Thread(() -> {
            try {
                for (Script script : scripts) {
                    try (SocketChannel ch = server.accept()) {
                        accepted = ch;
                        script.run(ch);
                    }
                }
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "unix-socket-peer");
        t.setDaemon(true);
        t.start();
        return this;
    }

    /** Waits for the scripts to finish and rethrows what failed in them. */
    public void awaitScript() throws Exception {
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw new AssertionError(e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        SocketChannel ch = accepted;
        if (ch != null) {
            ch.close();
        }
        server.close();
        Files.deleteIfExists(socket);
    }
}
