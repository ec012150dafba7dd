#!/usr/bin/env bash
# Live migration on a real 2-host lab vs raw QEMU over QMP between the same two network namespaces.
# Usage: bench/migration.sh [--memories 256,1024] [--rates 0,32,128] [--timeout-s 120] [--plaintext false]
#                           [--tls-channels 2]  (raw QEMU over TLS: one stream, and multifd with this many channels)
#                           [--tunnel true]  (false: agents run --migration-tunnel=off, QEMU encrypts itself)
#                           [--warmup true] [--dir DIR] [--name NAME]
# Needs root (network namespaces), etcd, qemu-system-x86_64, iperf3 and the default image (bin/install-deps, images/).
# The lab, the raw QEMUs and their temp dirs are always removed. Markdown table on stdout, progress on stderr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/lab-bench.sh"
bench_prepare migration etcd qemu-system-x86_64 iperf3
# 20 minutes for the whole run; each migration is bounded by --timeout-s inside.
bench_run migration 1200 MigrationBench "$@"
