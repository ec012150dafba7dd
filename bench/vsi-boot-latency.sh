#!/usr/bin/env bash
# Create-to-first-tick latency on a real 3-host lab, with a bare QEMU boot of the same image as the peer baseline.
# Usage: bench/vsi-boot-latency.sh [N=10] [--reuse] [--dir DIR=/tmp/hvf-bench-lab] [--name NAME=bench]
# Needs root (network namespaces), etcd, qemu-system-x86_64 and the default image (bin/install-deps, images/).
# The lab is always taken down at the end, also a reused one. Markdown table on stdout, progress on stderr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/lab-bench.sh"
args=()
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then args+=(--n "$1"); shift; fi
args+=("$@")
bench_prepare vsi-boot-latency etcd qemu-system-x86_64
# 15 minutes for the whole run.
bench_run vsi-boot-latency 900 VsiBootLatencyBench "${args[@]}"
