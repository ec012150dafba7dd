#!/usr/bin/env bash
# hvctl's wall time per call vs a minimal Java program that opens the same mutual-TLS channel and makes one call
# (bench/src/main/java/io/hvfabric/bench/MinimalMtlsCall.java: ListHosts, what `hvctl host list` asks), on an idle
# 2-host lab. The variants run interleaved, RUNS times each, after one warm-up each; medians of wall and CPU time.
# Usage: bench/cli-latency.sh [--runs N=20] [--baseline LAUNCHER] [--dir DIR=/tmp/hvf-cli-bench] [--name NAME=clib]
#   --baseline: another hvctl launcher measured like bin/hvctl, e.g. one running jars of an older commit.
# Needs root (network namespaces) and etcd. Takes /tmp/hvf-it.lock for the lab session. Markdown on stdout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/cli-bench.sh"
cli_bench_locked "$0" "$@"

runs=20 baseline="" dir=/tmp/hvf-cli-bench name=clib
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --baseline) baseline="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    *) echo "cli-latency: unknown argument $1" >&2; exit 2 ;;
  esac
done

R="$CLI_BENCH_REPO"
cli_bench_prepare
cli_bench_lab_up "$dir" "$name"
endpoint="${HVCTL_SCHEDULER%%,*}"
cli_cp="$R/cli/target/hvfabric-cli-0.1.0-SNAPSHOT.jar:$R/cli/target/lib/*"
minimal_cp="$R/bench/target/classes:$R/cli/target/lib/*"
cheap=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)

[[ -x /usr/bin/time ]] || { echo "cli-latency: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
# Commands are split on spaces, never globbed (class paths end in lib/*, which java expands).
labels=() commands=()
variant() { labels+=("$1"); commands+=("$2"); }
variant "bin/hvctl host list" "$R/bin/hvctl host list"
variant "hvctl, same JVM flags without the CDS archive" \
  "java ${cheap[*]} -XX:-UsePerfData -cp $cli_cp io.hvfabric.cli.Hvctl --scheduler $endpoint host list"
variant "hvctl usage error before any connection (floor: JVM + picocli)" \
  "env -u HVCTL_SCHEDULER HVF_LAB_DIR=/nonexistent $R/bin/hvctl host list"
[[ -n "$baseline" ]] && variant "baseline: $baseline host list" "$baseline host list"
minimal_index=${#commands[@]}
variant "minimal Java client, plain java" \
  "java -cp $minimal_cp io.hvfabric.bench.MinimalMtlsCall $endpoint $HVCTL_TLS_DIR"
variant "minimal Java client, hvctl's C1 + serial GC flags" \
  "java ${cheap[*]} -cp $minimal_cp io.hvfabric.bench.MinimalMtlsCall $endpoint $HVCTL_TLS_DIR"

sleep 5 # the lab's start-up work settles
load_start="$(cli_bench_load)"
start="$(date -u +%FT%TZ)"
echo "cli-latency: $start nproc=$(nproc) load=[$load_start] runs=$runs" >&2

declare -A wall cpu
times_file="$(mktemp)"
measure() { # measure INDEX: one timed run; the usage-error variant exits 2 by design
  local i="$1" t0 rc
  t0="$(cli_bench_now_ms)"
  set +e -f
  /usr/bin/time -o "$times_file" -f "%U %S" ${commands[$i]} >/dev/null 2>"$times_file.err"
  rc=$?
  set -e +f
  wall[$i]+="$(( $(cli_bench_now_ms) - t0 )) "
  # time(1) puts "Command exited with non-zero status" before its own line.
  cpu[$i]+="$(tail -1 "$times_file" | awk '{ printf "%d", ($1 + $2) * 1000 }') "
  if [[ $rc != 0 && $rc != 2 ]]; then
    echo "cli-latency: '${labels[$i]}' failed ($rc): $(head -1 "$times_file.err")" >&2
    exit 1
  fi
}
for i in "${!commands[@]}"; do measure "$i"; done # warm-up: page cache, the lab's first handshakes
wall=() cpu=()
for ((r = 1; r <= runs; r++)); do
  for i in "${!commands[@]}"; do measure "$i"; done
done
rm -f "$times_file" "$times_file.err"
load_end="$(cli_bench_load)"

# shellcheck disable=SC2086
minimal_median="$(cli_bench_median ${wall[$minimal_index]})"
echo "Command: \`bench/cli-latency.sh --runs $runs${baseline:+ --baseline $baseline}\` — $start, nproc $(nproc),"
echo "load [$load_start] → [$load_end]; 2-host lab, mutual TLS, ListHosts (2 hosts); $runs interleaved runs each."
echo
echo "| variant | wall median ms | min | max | CPU median ms (user+sys) | wall ÷ minimal (plain java) |"
echo "|---|---:|---:|---:|---:|---:|"
for i in "${!commands[@]}"; do
  # shellcheck disable=SC2086
  m="$(cli_bench_median ${wall[$i]})"
  # shellcheck disable=SC2086
  printf '| %s | %s | %s | %s | %s | %.2f |\n' "${labels[$i]}" "$m" "$(cli_bench_min ${wall[$i]})" \
    "$(cli_bench_max ${wall[$i]})" "$(cli_bench_median ${cpu[$i]})" "$(awk -v a="$m" -v b="$minimal_median" 'BEGIN { print a / b }')"
done
