package io.hvfabric.agent.vsi;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every running guest's serial console log bounded. QEMU cannot cap a {@code -chardev file}; it appends
 * ({@code append=on}) and the agent checks each log every second. A log over {@code maxBytes} has its newest
 * {@code maxBytes} copied to {@code console.log.1} (replacing the previous one) and is then truncated in place, so
 * QEMU's next write lands at offset 0 and console streams start over from there. A guest therefore holds at most
 * about twice {@code maxBytes} on disk, plus what it writes within one second; output written between the copy and
 * the truncation (microseconds) is lost.
 *
 * <p>The run directory belongs to the VSI's own unprivileged id, so its files are never followed as links nor
 * trusted when hard-linked: a guest that escaped into QEMU must not make the agent truncate or copy another file.
 */
public final class ConsoleLogCap implements AutoCloseable {
    /** Per log; the rotated copy holds as much again. */
    public static final long DEFAULT_MAX_BYTES = 8L << 20;
    private static final long PERIOD_MS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleLogCap.class);

    private final Supplier<List<Path>> logs;
    private final long maxBytes;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-log-cap");
        t.setDaemon(true);
        return t;
    });

    /** {@code logs}: the console logs of the guests running now. */
    public ConsoleLogCap(Supplier<List<Path>> logs, long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        this.logs = logs;
        this.maxBytes = maxBytes;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::enforceAll, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    void enforceAll() {
        try {
            for (Path log : logs.get()) {
                try {
                    if (enforce(log, maxBytes)) {
                        LOG.info("console log {} exceeded {} bytes: its newest part is now in {}", log, maxBytes,
                                rotated(log));
                    }
                } catch (IOException e) {
                    LOG.warn("cannot cap console log {}: {}", log, e.toString());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("console log cap pass failed", e); // the next pass tries again
        }
    }

    /** Rotates {@code log} if it is larger than {@code maxBytes}; true if it did. Missing or foreign files: untouched. */
    static boolean enforce(Path log, long maxBytes) throws IOException {
        if (!Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        if (((Number) Files.getAttribute(log, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue() != 1) {
            throw new IOException("refusing a console log with other hard links");
        }
        try (FileChannel source = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            long size = source.size();
            if (size <= maxBytes) {
                return false;
            }
            Path copy = log.resolveSibling(log.getFileName() + ".1.tmp");
            Files.deleteIfExists(copy); // a link is removed, never followed
            try (FileChannel target = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                long from = size - maxBytes;
                long done = 0;
                while (done < maxBytes) {
                    long n = source.transferTo(from + done, maxBytes - done, target);
                    if (n <= 0) {
                        break;
                    }
                    done += n;
                }
            }
            Files.move(copy, rotated(log), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            source.truncate(0);
            return true;
        }
    }

    static Path rotated(Path log) {
        return log.resolveSibling(log.getFileName() + ".1");
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
