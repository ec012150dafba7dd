package io.hvfabric.agent.vsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.stub.ServerCallStreamObserver;
import io.hvfabric.proto.v1.ConsoleChunk;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class ConsoleTailTest {
    @TempDir
    Path dir;

    /** A caller's stream that takes one chunk whenever the test says it is ready, as a slow reader would. */
    static final class SlowReader extends ServerCallStreamObserver<ConsoleChunk> {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final AtomicInteger sentWhileNotReady = new AtomicInteger();
        final AtomicBoolean completed = new AtomicBoolean();
        volatile boolean ready;
        volatile boolean cancelled;
        volatile Runnable onReady = () -> { };

        /** The transport drained its buffer: one more message may go. */
        void drain() {
            ready = true;
            onReady.run();
        }

        @Override
        public synchronized void onNext(ConsoleChunk chunk) {
            if (!ready) {
                sentWhileNotReady.incrementAndGet();
            }
            ready = false;
            received.writeBytes(chunk.getData().toByteArray());
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setOnReadyHandler(Runnable handler) {
            onReady = handler;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void onCompleted() {
            completed.set(true);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void setOnCancelHandler(Runnable handler) {}

        @Override
        public void setCompression(String compression) {}

        @Override
        public void disableAutoInboundFlowControl() {}

        @Override
        public void request(int count) {}

        @Override
        public void setMessageCompression(boolean enable) {}
    }

    @Test
    void aSlowReaderGetsEveryByteInOrderButNeverMoreThanItIsReadyFor() throws Exception {
        byte[] log = new byte[5 * ConsoleTail.CHUNK + 123];
        new Random(7).nextBytes(log);
        Path file = Files.write(dir.resolve("console.log"), log);
        SlowReader reader = new SlowReader();
        ConsoleTail tail = ConsoleTail.attach(reader);

        CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> {
            try {
                tail.stream(file, 0, false, () -> true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(reader.received.size()).as("nothing sent before the reader is ready").isZero();
        while (!streaming.isDone()) {
            reader.drain();
            Thread.sleep(10);
        }
        streaming.get(5, TimeUnit.SECONDS);

        assertThat(reader.sentWhileNotReady).hasValue(0);
        assertThat(reader.received.toByteArray()).isEqualTo(log);
        assertThat(reader.completed).isTrue();
    }

    @Test
    void aReaderThatGoesAwayWhileTheAgentWaitsEndsTheStream() throws Exception {
        Path file = Files.write(dir.resolve("console.log"), new byte[3 * ConsoleTail.CHUNK]);
        SlowReader reader = new SlowReader();
        ConsoleTail tail = ConsoleTail.attach(reader);
        CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> {
            try {
                tail.stream(file, 0, true, () -> true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        reader.drain();
        await().atMost(Duration.ofSeconds(5)).until(() -> reader.received.size() == ConsoleTail.CHUNK);

        reader.cancelled = true;
        streaming.get(5, TimeUnit.SECONDS);
        assertThat(reader.received.size()).isEqualTo(ConsoleTail.CHUNK);
        assertThat(reader.completed).isFalse();
    }
}
