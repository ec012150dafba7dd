# Shared by the CLI benchmarks (sourced, not run): the machine's lab lock, a 2-host lab for the run's length with its
# HVCTL_* variables exported, and small statistics. The lab is always removed.
CLI_BENCH_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLI_BENCH_LOCK=/tmp/hvf-it.lock

# cli_bench_locked "$0" "$@": runs the calling script again under the lock other engineers' lab sessions take, so
# neither measures the other's load.
cli_bench_locked() {
  if [[ -z "${HVF_IT_LOCK_HELD:-}" ]]; then
    echo "$(basename "$1"): waiting for $CLI_BENCH_LOCK" >&2
    HVF_IT_LOCK_HELD=1 exec flock "$CLI_BENCH_LOCK" "$@"
  fi
}

# cli_bench_prepare: the cli jars with their CDS archive, and the bench classes (only when missing, like bin/lab).
cli_bench_prepare() {
  local t="$CLI_BENCH_REPO/cli/target"
  if [[ ! -f "$t/hvfabric-cli-0.1.0-SNAPSHOT.jar" || ! -f "$t/hvctl.jsa" ]]; then
    (cd "$CLI_BENCH_REPO" && mvn -q -B -o -pl cli package -DskipTests) >&2
  fi
  if [[ ! -f "$CLI_BENCH_REPO/bench/target/classes/io/hvfabric/bench/MinimalMtlsCall.class" ]]; then
    (cd "$CLI_BENCH_REPO" && mvn -q -B -o -pl bench package -DskipTests) >&2
  fi
}

# cli_bench_lab_up DIR NAME [bin/lab up ARG...]: a 2-host lab; exports HVF_LAB_DIR and the HVCTL_* it prints.
cli_bench_lab_up() {
  CLI_BENCH_LAB_DIR="$1" CLI_BENCH_LAB_NAME="$2"
  shift 2
  trap cli_bench_lab_down EXIT
  echo "lab: up --hosts 2 --dir $CLI_BENCH_LAB_DIR --name $CLI_BENCH_LAB_NAME $*" >&2
  "$CLI_BENCH_REPO/bin/lab" up --hosts 2 --dir "$CLI_BENCH_LAB_DIR" --name "$CLI_BENCH_LAB_NAME" "$@" >/dev/null
  export HVF_LAB_DIR="$CLI_BENCH_LAB_DIR"
  local key value
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^HVCTL_[A-Z_]+$ ]] && export "$key=$value"
  done < "$CLI_BENCH_LAB_DIR/hvctl.env"
}

cli_bench_lab_down() {
  "$CLI_BENCH_REPO/bin/lab" down --dir "$CLI_BENCH_LAB_DIR" --name "$CLI_BENCH_LAB_NAME" >/dev/null 2>&1 || true
}

cli_bench_load() {
  cut -d' ' -f1-3 /proc/loadavg
}

# cli_bench_now_ms: wall clock in milliseconds.
cli_bench_now_ms() {
  echo $(( $(date +%s%N) / 1000000 ))
}

# cli_bench_median N...: the median (the mean of the middle two for an even count).
cli_bench_median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cli_bench_min() {
  printf '%s\n' "$@" | sort -n | head -1
}

cli_bench_max() {
  printf '%s\n' "$@" | sort -n | tail -1
}
