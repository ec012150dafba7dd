#!/usr/bin/env bash
# Draining a host of K VSIs on a real 3-host lab vs the bandwidth lower bound and a naive one-at-a-time drain.
# Usage: bench/drain.sh [--ks 3,6] [--memory 256] [--dirty-rate 0] [--timeout-s 600] [--cpu-ratio 6] [--warmup true]
#                       [--dir DIR] [--name NAME]
# Needs root (network namespaces), etcd, qemu-system-x86_64, iperf3 and the default image (bin/install-deps, images/).
# The lab is always removed. Markdown table on stdout, progress on stderr.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
V=0.1.0-SNAPSHOT
for tool in etcd qemu-system-x86_64 iperf3; do
  command -v "$tool" >/dev/null || { echo "drain: $tool not found; run bin/install-deps" >&2; exit 1; }
done
[[ -f /var/cache/hvfabric/images/default/vmlinuz ]] \
  || { echo "drain: no default image in /var/cache/hvfabric/images/default; run images/build-image" >&2; exit 1; }
for m in scheduler node-agent cli lab; do
  if [[ ! -f "$REPO/$m/target/hvfabric-$m-$V.jar" || ! -d "$REPO/$m/target/lib" ]]; then
    (cd "$REPO" && mvn -q -B -o -pl "$m" -DskipTests package) >&2
  fi
done
(cd "$REPO" && mvn -q -B -o -pl bench package) >&2
echo "drain: $(date -u +%FT%TZ) nproc=$(nproc) load=[$(cut -d' ' -f1-3 /proc/loadavg)]" >&2
# 25 minutes for the whole run; each drain is bounded by --timeout-s inside.
timeout --kill-after=30 1500 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dhvf.repo="$REPO" \
  -cp "$REPO/bench/target/hvfabric-bench-$V.jar:$REPO/bench/target/lib/*" \
  io.hvfabric.bench.DrainBench "$@"
echo "drain: done $(date -u +%FT%TZ) load=[$(cut -d' ' -f1-3 /proc/loadavg)]" >&2
