#!/usr/bin/env bash
# Placement throughput at scale: real etcd + one in-process scheduler, simulated hosts, CreateVsi under load.
# Usage: bench/placement-scale.sh [--hosts N=1000] [--vsis M=10000] [--concurrency C=32] [--budget-s S=200]
#                                 [--txn-s S=10] [--seed N=42]
# Runs once with --policy spread and once with --policy pack, each in its own JVM with its own etcd (a scheduler
# cannot be started twice in one JVM). Markdown tables on stdout, progress on stderr. Needs etcd (bin/install-deps).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v etcd >/dev/null || { echo "placement-scale: etcd not found; run bin/install-deps" >&2; exit 1; }
(cd "$REPO" && mvn -q -B -o -pl bench package) >&2
for policy in spread pack; do
  echo "placement-scale: $(date -u +%FT%TZ) policy=$policy nproc=$(nproc) load=[$(cut -d' ' -f1-3 /proc/loadavg)]" >&2
  # Bounded: budget (default 200 s of creates) plus setup stays under 5 minutes per policy.
  timeout --kill-after=10 300 java -XX:+UseParallelGC -Xmx2g \
    -cp "$REPO/bench/target/hvfabric-bench-0.1.0-SNAPSHOT.jar:$REPO/bench/target/lib/*" \
    io.hvfabric.bench.PlacementScaleBench --policy "$policy" "$@"
done
echo "placement-scale: done $(date -u +%FT%TZ) load=[$(cut -d' ' -f1-3 /proc/loadavg)]" >&2
