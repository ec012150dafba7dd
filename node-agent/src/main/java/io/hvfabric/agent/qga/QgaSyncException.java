package io.hvfabric.agent.qga;

/**
 * No {@code guest-sync-delimited} reply with our id in time: no agent runs in the guest (yet), or the guest is not
 * executing. The connection stays open; a late reply is recognised and skipped by its id on the next sync.
 */
public final class QgaSyncException extends QgaException {
    public QgaSyncException(String message) {
        super(message);
    }
}
