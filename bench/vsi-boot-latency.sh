#!/usr/bin/env bash
# Create-to-first-tick latency on a real 3-host lab, with a bare QEMU boot of the same image as the peer baseline.
# Usage: bench/vsi-boot-latency.sh [N=10] [--reuse] [--dir DIR=/tmp/hvf-bench-lab] [--name NAME=bench]
# Needs root (network namespaces), etcd, qemu-system-x86_64 and the default image (bin/install-deps, images/).
# The lab is always taken down at the end, also a reused one. Markdown table on stdout, progress on stderr.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
V=0.1.0-SNAPSHOT
args=()
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then args+=(--n "$1"); shift; fi
args+=("$@")

for tool in etcd qemu-system-x86_64; do
  command -v "$tool" >/dev/null || { echo "vsi-boot-latency: $tool not found; run bin/install-deps" >&2; exit 1; }
done
[[ -f /var/cache/hvfabric/images/default/vmlinuz ]] \
  || { echo "vsi-boot-latency: no default image in /var/cache/hvfabric/images/default; run images/build-image" >&2; exit 1; }
# The lab launches the scheduler and agent jars of this tree; build them only when missing (like bin/lab).
for m in scheduler node-agent cli lab; do
  if [[ ! -f "$REPO/$m/target/hvfabric-$m-$V.jar" || ! -d "$REPO/$m/target/lib" ]]; then
    (cd "$REPO" && mvn -q -B -o -pl "$m" -DskipTests package) >&2
  fi
done
(cd "$REPO" && mvn -q -B -o -pl bench package) >&2
echo "vsi-boot-latency: $(date -u +%FT%TZ) nproc=$(nproc) load=[$(cut -d' ' -f1-3 /proc/loadavg)]" >&2
timeout --kill-after=30 900 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dhvf.repo="$REPO" \
  -cp "$REPO/bench/target/hvfabric-bench-$V.jar:$REPO/bench/target/lib/*" \
  io.hvfabric.bench.VsiBootLatencyBench "${args[@]}"
echo "vsi-boot-latency: done $(date -u +%FT%TZ) load=[$(cut -d' ' -f1-3 /proc/loadavg)]" >&2
