package io.hvfabric.bench;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hvfabric.proto.v1.GetVsiRequest;
import io.hvfabric.proto.v1.OperatorServiceGrpc;
import io.hvfabric.proto.v1.VsiActionRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Deletes a VSI through the operator API and waits until it is gone (frees its CPU before the next measurement). */
final class VsiDeletion {
    private VsiDeletion() {}

    /** A VSI already gone is fine; one still present after {@code wait} is an error. */
    static void deleteAndAwaitGone(OperatorServiceGrpc.OperatorServiceBlockingStub operator, String name, Duration wait)
            throws InterruptedException {
        try {
            operator.withDeadlineAfter(30, TimeUnit.SECONDS).deleteVsi(VsiActionRequest.newBuilder().setName(name).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                operator.withDeadlineAfter(5, TimeUnit.SECONDS).getVsi(GetVsiRequest.newBuilder().setName(name).build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + ": still present " + wait.toSeconds() + " s after DeleteVsi");
    }
}
