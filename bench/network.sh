#!/usr/bin/env bash
# Tenant networks on a real 3-host lab (guests under TCG), each figure beside its peer measured in the same run:
#   1. guest-to-guest TCP throughput across hosts (busybox nc, 64 MiB, 3 runs, received byte count checked) vs
#      host-to-host iperf3 between the same namespaces
#   2. ping gap of a 10 ms ping through each live migration vs the downtime QEMU/the fabric reported, and when the
#      pinging host's FDB entry for the moved MAC pointed at the new host
#   3. time for a new network to be usable: vsi create --wait to the guest's DHCP lease, vs the same create without vNIC
# Usage: bench/network.sh [--migrations N] [--dir DIR] [--name NAME]    (root; bin/install-deps and images/ first)
# The lab is always removed. Markdown on stdout, progress on stderr.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGRATIONS=4 DIR=/tmp/hvf-bench-net NAME=nbnch
while [[ $# -gt 0 ]]; do
  case "$1" in
    --migrations) MIGRATIONS="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    *) echo "network.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
export HVF_LAB_DIR="$DIR"
log() { echo "network.sh: $*" >&2; }
hv() { "$REPO/bin/hvctl" "$@"; }
now_ms() { date +%s%3N; }
# One value out of JSON on stdin by a jq path: jq if installed, else python3 (a path of .key, [n] and the one
# "[] | select(.k==\"v\") | .f" form this script uses).
json_get() {
  if command -v jq >/dev/null; then jq -r "$1 // empty" | head -1; return; fi
  python3 -c '
import json, re, sys
path, doc = sys.argv[1], json.load(sys.stdin)
m = re.fullmatch(r"(.*)\[\] \| select\(\.(\w+)==\"(.*)\"\) \| \.(\w+)", path)
def walk(v, p):
    for key, idx in re.findall(r"\.(\w+)|\[(\d+)\]", p):
        v = (v.get(key) if isinstance(v, dict) else None) if key else (v[int(idx)] if isinstance(v, list) and int(idx) < len(v) else None)
        if v is None: return None
    return v
if m:
    hits = [e.get(m.group(4)) for e in (walk(doc, m.group(1)) or []) if str(e.get(m.group(2))) == m.group(3)]
    v = hits[0] if hits else None
else:
    v = walk(doc, path)
print("" if v is None else v)' "$1"
}
# When host-1's FDB entry for MAC $2 first pointed at $3 (bridge -timestamp monitor fdb log $1), in ms after the
# SWITCHOVER transition $4 and relative to COMPLETED $5: "A ms / B ms", or "not seen".
fdb_repoint_ms() {
  python3 - "$@" <<'PY'
import re, sys
from datetime import datetime, timezone
log, mac, dst, sw, done = sys.argv[1:6]
def rfc(t):
    t = re.sub(r"(\.\d{1,6})\d*", r"\1", t.replace("Z", "+00:00"))
    return datetime.fromisoformat(t).timestamp()
sw_t, done_t = rfc(sw), rfc(done)
stamp = None
for line in open(log, errors="replace"):
    m = re.match(r"Timestamp: \w+ (\w+ +\d+ [\d:]+ \d+) (\d+) usec", line)
    if m:
        stamp = datetime.strptime(m.group(1), "%b %d %H:%M:%S %Y").timestamp() + int(m.group(2)) / 1e6
        continue
    if stamp and line.startswith(mac) and ("dst " + dst + " ") in line and not line.startswith("Deleted") \
            and stamp >= sw_t - 1:
        print("%d ms / %+d ms" % ((stamp - sw_t) * 1000, (stamp - done_t) * 1000))
        break
else:
    print("not seen")
PY
}
cleanup() { "$REPO/bin/lab" down >/dev/null 2>&1 || true; }
trap cleanup EXIT

TREE=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "${HVF_TREE:-unknown}")
log "$(date -u +%FT%TZ) nproc=$(nproc) load=[$(cut -d' ' -f1-3 /proc/loadavg)] tree=$TREE"
"$REPO/bin/lab" down >/dev/null 2>&1 || true
"$REPO/bin/lab" up --hosts 3 --name "$NAME" >/dev/null
NS1="hvf-$NAME-h1" NS2="hvf-$NAME-h2"
ADDR2=$(ip -n "$NS2" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)

hv network create bench --cidr 10.77.0.0/24 >/dev/null
lease_line() { hv vsi console "$1" --tail 20000 | tr -d '\r' | grep -m1 'hvf-net eth0' || true; }

# 3. time to usable: a VSI without vNIC (to its first tick) and one on the network (to its DHCP lease)
t0=$(now_ms); hv vsi create plain --vcpus 1 --memory 160 --host host-1 --wait >/dev/null
until hv vsi console plain --tail 4000 | grep -q 'hvf-tick 1 '; do sleep 0.2; done; plain_ms=$(( $(now_ms) - t0 ))
t0=$(now_ms); hv vsi create g1 --vcpus 1 --memory 160 --host host-1 --nic network=bench --wait >/dev/null
until [[ -n "$(lease_line g1)" ]]; do sleep 0.2; done; first_ms=$(( $(now_ms) - t0 ))
t0=$(now_ms); hv vsi create g2 --vcpus 1 --memory 160 --host host-2 --nic network=bench --wait >/dev/null
until [[ -n "$(lease_line g2)" ]]; do sleep 0.2; done; second_ms=$(( $(now_ms) - t0 ))
log "usable: plain first tick ${plain_ms} ms; g1 lease ${first_ms} ms (network new on host-1); g2 ${second_ms} ms"
IP2=$(lease_line g2 | awk '{print $3}' | cut -d/ -f1)

# 1. throughput: iperf3 host-1 -> host-2 namespaces (5 s), then guest g1 -> g2 with busybox nc (64 MiB of zeros, 3 runs)
ip netns exec "$NS2" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
for _ in $(seq 50); do ip netns exec "$NS2" ss -ltn 2>/dev/null | grep -q ':5201 ' && break; sleep 0.1; done
ip netns exec "$NS1" iperf3 -c "$ADDR2" -p 5201 -t 5 -J > "$DIR/iperf3.json"
host_bps=$(json_get '.end.sum_received.bits_per_second' < "$DIR/iperf3.json")
[[ "$host_bps" =~ ^[0-9.e+]+$ ]] || { log "iperf3 gave no sum_received.bits_per_second: $(head -c 400 "$DIR/iperf3.json")"; exit 1; }
host_gbps=$(awk -v b="$host_bps" 'BEGIN{printf "%.2f", b/1e9}')
BYTES=$((64 * 1024 * 1024))
guest_runs=()
for run in 1 2 3; do
  # The receiver's stdin must stay open: busybox nc exits as soon as either side ends, and one that reads /dev/null
  # would half-close at once and let the sender quit after a few kilobytes.
  # wc writes the count once, when nc has ended; the pipeline itself lasts as long as its sleep (killed below).
  hv vsi exec g2 -- /bin/sh -c 'rm -f /tmp/rx.count; (sleep 297 | nc -l -p 5001 | wc -c > /tmp/rx.count) >/dev/null 2>&1 &' >/dev/null
  listening=""
  for _ in $(seq 100); do
    if hv vsi exec g2 -- /bin/sh -c 'netstat -ltn | grep -q ":5001 "' >/dev/null 2>&1; then listening=yes; break; fi
    sleep 0.2
  done
  [[ -n "$listening" ]] || { log "g2's nc listener never came up"; exit 1; }
  # Timed inside the sender from /proc/uptime (10 ms resolution) around the whole transfer: nc returns only after the
  # receiver has read everything and closed.
  out=$(hv vsi exec g1 --timeout 300 -- /bin/sh -c \
    "a=\$(cut -d' ' -f1 /proc/uptime); dd if=/dev/zero bs=65536 count=1024 2>/dev/null | nc $IP2 5001; rc=\$?; b=\$(cut -d' ' -f1 /proc/uptime); echo xfer \$rc \$a \$b" || true)
  read -r _ rc a b <<<"$(printf '%s\n' "$out" | grep '^xfer ')"
  got=""
  for _ in $(seq 100); do
    got=$(hv vsi exec g2 -- /bin/sh -c '[ -s /tmp/rx.count ] && cat /tmp/rx.count' 2>/dev/null | tr -d ' \n' || true)
    [[ -n "$got" ]] && break; sleep 0.2
  done
  hv vsi exec g2 -- /bin/sh -c 'kill $(ps | awk "/[s]leep 297/{print \$1}") 2>/dev/null; true' >/dev/null 2>&1 || true
  [[ "$rc" == 0 && "$got" == "$BYTES" ]] || { log "run $run: sender rc=$rc, receiver counted '$got' of $BYTES bytes"; exit 1; }
  ms=$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.0f", (b-a)*1000}')
  mbps=$(awk -v ms="$ms" -v n="$BYTES" 'BEGIN{printf "%.0f", n*8/(ms/1000)/1e6}')
  log "throughput run $run: $BYTES bytes received in ${ms} ms = ${mbps} Mbit/s"
  guest_runs+=("$mbps")
done
guest_mbps=$(printf '%s\n' "${guest_runs[@]}" | sort -n | sed -n 2p)
log "throughput: host-to-host ${host_gbps} Gbit/s; guest-to-guest ${guest_runs[*]} Mbit/s (median ${guest_mbps})"

# 2. ping gap through migrations of g2 between host-2 and host-3, g1 pinging it every 10 ms. host-1's FDB is watched:
#    when its entry for g2's MAC points at the new host, relative to the SWITCHOVER record and to COMPLETED.
MAC2=$(hv vsi show g2 -o json | json_get '.spec.nics[0].mac')
ip netns exec "$NS1" bridge -timestamp monitor fdb > "$DIR/fdb-monitor.log" 2>&1 &
MONITOR=$!
rows=""
to=host-3
for i in $(seq 1 "$MIGRATIONS"); do
  hv vsi exec g1 -- /bin/sh -c "ping -i 0.01 -w 12 $IP2 > /tmp/ping.log 2>&1 &" >/dev/null
  sleep 2
  m=$(hv vsi migrate g2 --to "$to" --wait -o json)
  dt=$(printf '%s' "$m" | json_get '.downtimeMs')
  total=$(printf '%s' "$m" | json_get '.totalMs')
  switchover=$(printf '%s' "$m" | json_get '.transitions[] | select(.phase=="SWITCHOVER") | .at')
  completed=$(printf '%s' "$m" | json_get '.transitions[] | select(.phase=="COMPLETED") | .at')
  sleep 11
  log_text=$(hv vsi exec g1 -- /bin/cat /tmp/ping.log)
  summary=$(printf '%s\n' "$log_text" | grep 'packets transmitted')
  sent=$(echo "$summary" | awk '{print $1}'); got=$(echo "$summary" | awk '{print $4}')
  gap=$(( (sent - got) * 10 ))
  # The longest run of missing sequence numbers: the cut itself, apart from any stray loss.
  run=$(printf '%s\n' "$log_text" | sed -n 's/.*seq=\([0-9]*\) .*/\1/p' \
    | awk 'NR>1 && $1-prev-1>max {max=$1-prev-1} {prev=$1} END{print max+0}')
  to_addr=$(ip -n "hvf-$NAME-h${to#host-}" -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
  repoint=$(fdb_repoint_ms "$DIR/fdb-monitor.log" "$MAC2" "$to_addr" "$switchover" "$completed")
  log "migration $i to $to: downtime ${dt} ms, total ${total} ms, ping lost $((sent - got)) of $sent = ${gap} ms, longest cut $((run * 10)) ms; host-1 FDB repoint (after SWITCHOVER / vs COMPLETED): ${repoint}"
  rows+="| $i | $to | $total | $dt | $((sent - got)) / $sent | $gap | $((run * 10)) | $(( gap - dt )) | ${repoint} |"$'\n'
  [[ "$to" == host-3 ]] && to=host-2 || to=host-3
done
kill "$MONITOR" 2>/dev/null || true

cat <<EOF

### Tenant networks ($(date -u +%F), tree $TREE, $(nproc) cores, guests under TCG)

| measure | hvfabric | peer in the same run | ratio |
| --- | --- | --- | --- |
| TCP throughput host-1 → host-2 | guest to guest over VXLAN (busybox nc, 64 MiB, median of ${guest_runs[*]}): ${guest_mbps} Mbit/s | iperf3 -t 5 between the host namespaces: ${host_gbps} Gbit/s | $(awk -v g="$guest_mbps" -v h="$host_gbps" 'BEGIN{printf "%.3f", g/(h*1000)}') |
| create --wait → usable | first VSI of a new network on its host: ${first_ms} ms to its DHCP lease; second host: ${second_ms} ms | same create without vNIC, to its first tick: ${plain_ms} ms | $(awk -v a="$first_ms" -v b="$plain_ms" 'BEGIN{printf "%.2f", a/b}') |

| migration | to | total ms | downtime ms | pings lost | gap ms (lost × 10) | longest cut ms | gap − downtime ms | host-1 FDB repointed: after SWITCHOVER / vs COMPLETED |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows}
EOF
