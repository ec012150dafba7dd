# Shared by the lab benchmarks (sourced, not run): checks the tools and the image, builds the jars the lab launches
# (only when missing, like bin/lab) and the bench module, then runs one benchmark class under a wall-clock bound,
# with the start and end time and load average on stderr.
BENCH_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_V=0.1.0-SNAPSHOT

# bench_prepare NAME TOOL...
bench_prepare() {
  local name="$1"; shift
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$name: $tool not found; run bin/install-deps" >&2; exit 1; }
  done
  [[ -f /var/cache/hvfabric/images/default/vmlinuz ]] \
    || { echo "$name: no default image in /var/cache/hvfabric/images/default; run images/build-image" >&2; exit 1; }
  local m
  for m in scheduler node-agent cli lab; do
    if [[ ! -f "$BENCH_REPO/$m/target/hvfabric-$m-$BENCH_V.jar" || ! -d "$BENCH_REPO/$m/target/lib" ]]; then
      (cd "$BENCH_REPO" && mvn -q -B -o -pl "$m" -DskipTests package) >&2
    fi
  done
  (cd "$BENCH_REPO" && mvn -q -B -o -pl bench package) >&2
}

# bench_run NAME TIMEOUT_S CLASS ARG...
bench_run() {
  local name="$1" seconds="$2" class="$3"; shift 3
  echo "$name: $(date -u +%FT%TZ) nproc=$(nproc) load=[$(cut -d' ' -f1-3 /proc/loadavg)]" >&2
  timeout --kill-after=30 "$seconds" java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dhvf.repo="$BENCH_REPO" \
    -cp "$BENCH_REPO/bench/target/hvfabric-bench-$BENCH_V.jar:$BENCH_REPO/bench/target/lib/*" \
    "io.hvfabric.bench.$class" "$@"
  echo "$name: done $(date -u +%FT%TZ) load=[$(cut -d' ' -f1-3 /proc/loadavg)]" >&2
}
