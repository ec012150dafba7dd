#!/usr/bin/env bash
# Live migration on a real 2-host lab vs raw QEMU over QMP between the same two network namespaces.
# Usage: bench/migration.sh [--memories 256,1024] [--rates 0,32,128] [--timeout-s 120] [--plaintext false]
#                           [--warmup true] [--dir DIR] [--name NAME]
# Needs root (network namespaces), etcd, qemu-system-x86_64, iperf3 and the default image (bin/install-deps, images/).
# The lab, the raw QEMUs and their temp dirs are always removed. Markdown table on stdout, progress on stderr.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
V=0.1.0-SNAPSHOT
for tool in etcd qemu-system-x86_64 iperf3; do
  command -v "$tool" >/dev/null || { echo "migration: $tool not found; run bin/install-deps" >&2; exit 1; }
done
[[ -f /var/cache/hvfabric/images/default/vmlinuz ]] \
  || { echo "migration: no default image in /var/cache/hvfabric/images/default; run images/build-image" >&2; exit 1; }
for m in scheduler node-agent cli lab; do
  if [[ ! -f "$REPO/$m/target/hvfabric-$m-$V.jar" || ! -d "$REPO/$m/target/lib" ]]; then
    (cd "$REPO" && mvn -q -B -o -pl "$m" -DskipTests package) >&2
  fi
done
(cd "$REPO" && mvn -q -B -o -pl bench package) >&2
echo "migration: $(date -u +%FT%TZ) nproc=$(nproc) load=[$(cut -d' ' -f1-3 /proc/loadavg)]" >&2
# 20 minutes for the whole run; each migration is bounded by --timeout-s inside.
timeout --kill-after=30 1200 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dhvf.repo="$REPO" \
  -cp "$REPO/bench/target/hvfabric-bench-$V.jar:$REPO/bench/target/lib/*" \
  io.hvfabric.bench.MigrationBench "$@"
echo "migration: done $(date -u +%FT%TZ) load=[$(cut -d' ' -f1-3 /proc/loadavg)]" >&2
