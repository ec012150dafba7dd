/*
 * hvf-dirty: a guest memory workload for live-migration tests.
 *
 *   hvf-dirty MIB [RATE_MIB_PER_S]
 *
 * Allocates MIB MiB, touches every page once (so the guest really owns the
 * memory), then keeps rewriting pages in a ring. With RATE it dirties at most
 * RATE MiB/s, paced in 10 ms slices; without it (or RATE 0) as fast as it can.
 * Built with `gcc -static -O2` by images/build-image; runs under busybox.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define SLICE_NS 10000000L /* 10 ms */

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: hvf-dirty MIB [RATE_MIB_PER_S]\n");
        return 2;
    }
    long mib = atol(argv[1]);
    long rate = argc > 2 ? atol(argv[2]) : 0;
    if (mib <= 0) {
        fprintf(stderr, "hvf-dirty: MIB must be > 0, got %s\n", argv[1]);
        return 2;
    }
    long page = sysconf(_SC_PAGESIZE);
    size_t bytes = (size_t)mib << 20;
    size_t pages = bytes / (size_t)page;
    volatile uint8_t *mem = malloc(bytes);
    if (mem == NULL) {
        fprintf(stderr, "hvf-dirty: cannot allocate %ld MiB\n", mib);
        return 1;
    }
    for (size_t p = 0; p < pages; p++) {
        mem[p * (size_t)page] = 1;
    }
    printf("hvf-dirty allocated=%ldMiB rate=%ldMiB/s\n", mib, rate);
    fflush(stdout);

    /* Pages to rewrite per 10 ms slice; at least one so small rates still progress. */
    size_t per_slice = rate > 0 ? ((size_t)rate << 20) / (size_t)page / 100 : pages;
    if (per_slice == 0) per_slice = 1;
    size_t cursor = 0;
    uint8_t generation = 2;
    long long next = now_ns();
    for (;;) {
        for (size_t i = 0; i < per_slice; i++) {
            mem[cursor * (size_t)page] = generation;
            if (++cursor == pages) {
                cursor = 0;
                generation++;
            }
        }
        if (rate > 0) {
            next += SLICE_NS;
            long long wait = next - now_ns();
            if (wait > 0) {
                struct timespec ts = {wait / 1000000000LL, wait % 1000000000LL};
                nanosleep(&ts, NULL);
            } else if (wait < -100 * SLICE_NS) {
                next = now_ns(); /* fell far behind (slow TCG): do not burst to catch up */
            }
        }
    }
}
