#!/usr/bin/env bash
# N `hvctl vsi create` started at once against a 2-host lab: how many were admitted, refused for capacity
# (RESOURCE_EXHAUSTED) or failed otherwise, and how long the storm and each call took. Then one more create, alone:
# refused for capacity, it shows that every refusal was for real capacity; admitted, that a refusal was not. Every
# VSI is deleted afterwards. Each create is `LAUNCHER vsi create storm-I --vcpus V --memory M`.
# --driver fake (the default) keeps the agents from booting guests, so the load is the storm's own: N JVMs and the
# fabric answering them; --driver qemu adds a TCG guest boot per admitted VSI on the same cores.
# Usage: bench/cli-storm.sh [--n 30] [--vcpus 1] [--memory 128M] [--driver fake|qemu] [--hvctl LAUNCHER=bin/hvctl]
#                           [--timeout DURATION] [--dir DIR=/tmp/hvf-cli-bench] [--name NAME=clis]
#   --timeout: passed to each create (default: hvctl's own).
# Needs root (network namespaces), etcd, and for --driver qemu qemu-system-x86_64 and the default image.
# Takes /tmp/hvf-it.lock for the lab session. Markdown on stdout, progress on stderr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/cli-bench.sh"
cli_bench_locked "$0" "$@"

n=30 vcpus=1 memory=128M driver=fake hvctl="$CLI_BENCH_REPO/bin/hvctl" hvctl_arg="" timeout=() dir=/tmp/hvf-cli-bench name=clis
while (($#)); do
  case "$1" in
    --n) n="$2"; shift 2 ;;
    --vcpus) vcpus="$2"; shift 2 ;;
    --memory) memory="$2"; shift 2 ;;
    --driver) driver="$2"; shift 2 ;;
    --hvctl) hvctl="$2" hvctl_arg=" --hvctl $2"; shift 2 ;;
    --timeout) timeout=(--timeout "$2"); shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    *) echo "cli-storm: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [[ "$driver" == qemu ]]; then
  if ! command -v qemu-system-x86_64 >/dev/null || [[ ! -f /var/cache/hvfabric/images/default/vmlinuz ]]; then
    echo "cli-storm: --driver qemu needs qemu-system-x86_64 and the default image (bin/install-deps, images/)" >&2
    exit 1
  fi
fi
cli_bench_prepare
cli_bench_lab_up "$dir" "$name" --agent-arg="--driver $driver"
work="$(mktemp -d)"
cleanup() {
  local vsi
  # A VSI's name is in its JSON twice (the VSI's and its spec's).
  for vsi in $("$hvctl" vsi list -o json 2>/dev/null | grep -o '"name": "storm-[a-z0-9]*"' | cut -d'"' -f4 | sort -u); do
    "$hvctl" vsi delete "$vsi" >/dev/null 2>"$work/delete.err" \
      || echo "cli-storm: could not delete $vsi: $(head -1 "$work/delete.err")" >&2
  done
  rm -rf "$work"
  cli_bench_lab_down
}
trap cleanup EXIT

"$hvctl" host list >&2
sleep 5 # the lab's start-up work settles
load_start="$(cli_bench_load)"
start="$(date -u +%FT%TZ)"
echo "cli-storm: $start nproc=$(nproc) load=[$load_start] n=$n vcpus=$vcpus memory=$memory driver=$driver" >&2

storm_start="$(cli_bench_now_ms)"
for ((i = 1; i <= n; i++)); do
  (
    t0="$(cli_bench_now_ms)"
    set +e
    "$hvctl" vsi create "storm-$i" --vcpus "$vcpus" --memory "$memory" "${timeout[@]}" \
      >"$work/$i.out" 2>"$work/$i.err"
    echo "$? $(( $(cli_bench_now_ms) - t0 ))" >"$work/$i.rc"
  ) &
done
wait
storm_ms=$(( $(cli_bench_now_ms) - storm_start ))
load_end="$(cli_bench_load)"

admitted=0 refused=0 failed=0 calls=()
: >"$work/failures"
for ((i = 1; i <= n; i++)); do
  read -r rc ms <"$work/$i.rc"
  calls+=("$ms")
  echo "cli-storm: storm-$i exit $rc after ${ms} ms $(head -1 "$work/$i.err")" >&2
  if [[ "$rc" == 0 ]]; then
    admitted=$((admitted + 1))
  elif grep -q '^hvctl: resource exhausted' "$work/$i.err"; then
    refused=$((refused + 1))
  else
    failed=$((failed + 1))
    head -1 "$work/$i.err" | sed -E 's/[0-9]+(\.[0-9]+)?(ms|s)\b/N\2/g' >>"$work/failures"
  fi
done

set +e
"$hvctl" vsi create storm-probe --vcpus "$vcpus" --memory "$memory" >/dev/null 2>"$work/probe.err"
probe_rc=$?
set -e
if [[ $probe_rc == 0 ]]; then
  probe="admitted: capacity was left, so not every admissible create was admitted"
elif grep -q '^hvctl: resource exhausted' "$work/probe.err"; then
  probe="refused for capacity: the storm filled what the hosts admit"
else
  probe="failed: $(head -1 "$work/probe.err")"
fi
"$hvctl" host list >&2

echo "Command: \`bench/cli-storm.sh --n $n --vcpus $vcpus --memory $memory --driver $driver$hvctl_arg${timeout[*]:+ ${timeout[*]}}\` —"
echo "$start, nproc $(nproc), load [$load_start] → [$load_end]."
echo
echo "| creates | admitted | refused (resource exhausted) | failed otherwise | storm wall s | per call median s | per call max s |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
printf '| %d | %d | %d | %d | %.1f | %.1f | %.1f |\n' "$n" "$admitted" "$refused" "$failed" \
  "$(awk -v m="$storm_ms" 'BEGIN { print m / 1000 }')" \
  "$(awk -v m="$(cli_bench_median "${calls[@]}")" 'BEGIN { print m / 1000 }')" \
  "$(awk -v m="$(cli_bench_max "${calls[@]}")" 'BEGIN { print m / 1000 }')"
echo
echo "One more create after the storm: $probe."
if [[ -s "$work/failures" ]]; then
  echo
  echo "Failures (durations as N):"
  sort "$work/failures" | uniq -c | sed 's/^ */- /'
fi
