#!/usr/bin/env bash
# Draining a host of K VSIs on a real 3-host lab vs the bandwidth lower bound and a naive one-at-a-time drain.
# Usage: bench/drain.sh [--ks 3,6] [--memory 256] [--dirty-rate 0] [--timeout-s 600] [--cpu-ratio 6] [--warmup true]
#                       [--dir DIR] [--name NAME]
# Needs root (network namespaces), etcd, qemu-system-x86_64, iperf3 and the default image (bin/install-deps, images/).
# The lab is always removed. Markdown table on stdout, progress on stderr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/lab-bench.sh"
bench_prepare drain etcd qemu-system-x86_64 iperf3
# 25 minutes for the whole run; each drain is bounded by --timeout-s inside.
bench_run drain 1500 DrainBench "$@"
