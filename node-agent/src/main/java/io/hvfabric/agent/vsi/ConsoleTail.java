package io.hvfabric.agent.vsi;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.hvfabric.proto.v1.ConsoleChunk;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/** Streams a console log file: optionally only its tail, optionally following it as it grows. */
public final class ConsoleTail {
    private static final int CHUNK = 32 * 1024;
    private static final long POLL_MS = 200;

    private ConsoleTail() {}

    /**
     * Sends the file from {@code max(0, size - tailBytes)} (the whole file when tailBytes is 0), then, when
     * following, whatever is appended until the caller cancels or {@code stillExists} turns false.
     */
    public static void stream(Path log, long tailBytes, boolean follow, BooleanSupplier stillExists,
                              ServerCallStreamObserver<ConsoleChunk> out) throws IOException, InterruptedException {
        long position = 0;
        if (Files.exists(log) && tailBytes > 0) {
            position = Math.max(0, Files.size(log) - tailBytes);
        }
        byte[] buffer = new byte[CHUNK];
        while (!out.isCancelled()) {
            if (Files.exists(log)) {
                try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                    if (file.length() < position) {
                        position = 0; // truncated (guest restarted with a fresh log)
                    }
                    file.seek(position);
                    int n;
                    while ((n = file.read(buffer)) > 0) {
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
}
