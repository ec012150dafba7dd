package io.hvfabric.agent.vsi;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.hvfabric.proto.v1.ConsoleChunk;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Streams a console log file to one caller: optionally only its tail, optionally following it as it grows. Honours
 * the caller's flow control: a chunk is read from the file only when the stream is ready to send it, so a reader
 * that falls behind holds the agent at one chunk in flight rather than an ever-growing send buffer.
 */
public final class ConsoleTail {
    static final int CHUNK = 32 * 1024;
    private static final long POLL_MS = 200;
    /** Cancellation fires no onReady: a waiting sender rechecks this often. */
    private static final long READY_RECHECK_MS = 200;

    private final ServerCallStreamObserver<ConsoleChunk> out;
    private final Object readiness = new Object();

    private ConsoleTail(ServerCallStreamObserver<ConsoleChunk> out) {
        this.out = out;
    }

    /** Call from the RPC method itself: gRPC takes an onReady handler only before that method returns. */
    public static ConsoleTail attach(ServerCallStreamObserver<ConsoleChunk> out) {
        ConsoleTail tail = new ConsoleTail(out);
        out.setOnReadyHandler(tail::wake);
        return tail;
    }

    /**
     * Sends the file from {@code max(0, size - tailBytes)} (the whole file when tailBytes is 0), then, when
     * following, whatever is appended until the caller cancels or {@code stillExists} turns false. Blocks the calling
     * thread while the caller is not ready for more.
     */
    public void stream(Path log, long tailBytes, boolean follow, BooleanSupplier stillExists)
            throws IOException, InterruptedException {
        long position = 0;
        if (Files.exists(log) && tailBytes > 0) {
            position = Math.max(0, Files.size(log) - tailBytes);
        }
        byte[] buffer = new byte[CHUNK];
        while (!out.isCancelled()) {
            if (Files.exists(log)) {
                try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                    if (file.length() < position) {
                        position = 0; // truncated: a guest restarted with a fresh log, or the log was rotated
                    }
                    file.seek(position);
                    while (awaitReady()) {
                        int n = file.read(buffer);
                        if (n <= 0) {
                            break;
                        }
                        position += n;
                        synchronized (out) {
                            if (out.isCancelled()) {
                                return;
                            }
                            out.onNext(ConsoleChunk.newBuilder().setData(ByteString.copyFrom(buffer, 0, n)).build());
                        }
                    }
                }
            }
            if (!follow || !stillExists.getAsBoolean()) {
                break;
            }
            Thread.sleep(POLL_MS);
        }
        if (!out.isCancelled()) {
            out.onCompleted();
        }
    }

    /** True once the stream takes a message without buffering it; false if the caller went away meanwhile. */
    private boolean awaitReady() throws InterruptedException {
        synchronized (readiness) {
            while (!out.isReady()) {
                if (out.isCancelled()) {
                    return false;
                }
                readiness.wait(READY_RECHECK_MS);
            }
        }
        return !out.isCancelled();
    }

    private void wake() {
        synchronized (readiness) {
            readiness.notifyAll();
        }
    }
}
