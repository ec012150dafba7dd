#!/usr/bin/env bash
# Tenant networks on a real 3-host lab (guests under TCG), each figure beside its peer measured in the same run:
#   1. guest-to-guest TCP throughput across hosts (busybox nc, 64 MiB) vs host-to-host iperf3 between the same namespaces
#   2. ping gap of a 10 ms ping through each live migration vs the downtime QEMU/the fabric reported
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
json_field() { sed -n "s/.*\"$1\": \"\\{0,1\\}\\([^\",]*\\)\"\\{0,1\\}.*/\\1/p" | head -1; }
cleanup() { "$REPO/bin/lab" down >/dev/null 2>&1 || true; }
trap cleanup EXIT

log "$(date -u +%FT%TZ) nproc=$(nproc) load=[$(cut -d' ' -f1-3 /proc/loadavg)] tree=$(git -C "$REPO" rev-parse --short HEAD)"
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

# 1. throughput: iperf3 host-1 -> host-2 namespaces, then guest g1 -> g2 with busybox nc (64 MiB of zeros)
ip netns exec "$NS2" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
sleep 1
host_gbps=$(ip netns exec "$NS1" iperf3 -c "$ADDR2" -p 5201 -t 5 -J | tr -d ' \n' \
  | sed -n 's/.*"sum_received":{[^}]*"bits_per_second":\([0-9.e+]*\).*/\1/p' | awk '{printf "%.2f", $1/1e9}')
hv vsi exec g2 -- /bin/sh -c 'nc -l -p 5001 > /dev/null 2>&1 &' >/dev/null
sleep 1
guest_out=$(hv vsi exec g1 --timeout 120 -o json -- /bin/sh -c \
  "dd if=/dev/zero bs=65536 count=1024 2>/dev/null | nc $IP2 5001")
guest_ms=$(printf '%s' "$guest_out" | json_field elapsedMs)
guest_mbps=$(awk -v ms="$guest_ms" 'BEGIN{printf "%.0f", 64*1024*1024*8/(ms/1000)/1e6}')
log "throughput: host-to-host ${host_gbps} Gbit/s; guest-to-guest ${guest_mbps} Mbit/s (${guest_ms} ms for 64 MiB)"

# 2. ping gap through migrations of g2 between host-2 and host-3, g1 pinging it every 10 ms
rows=""
to=host-3
for i in $(seq 1 "$MIGRATIONS"); do
  hv vsi exec g1 -- /bin/sh -c "ping -q -i 0.01 -w 12 $IP2 > /tmp/ping.log 2>&1 &" >/dev/null
  sleep 2
  m=$(hv vsi migrate g2 --to "$to" --wait -o json)
  dt=$(printf '%s' "$m" | json_field downtimeMs)
  total=$(printf '%s' "$m" | json_field totalMs)
  sleep 12
  summary=$(hv vsi exec g1 -- /bin/cat /tmp/ping.log | grep 'packets transmitted')
  sent=$(echo "$summary" | awk '{print $1}'); got=$(echo "$summary" | awk '{print $4}')
  gap=$(( (sent - got) * 10 ))
  log "migration $i to $to: downtime ${dt} ms, total ${total} ms, ping lost $((sent - got)) of $sent = ${gap} ms"
  rows+="| $i | $to | $total | $dt | $((sent - got)) / $sent | $gap | $(( gap - dt )) |"$'\n'
  [[ "$to" == host-3 ]] && to=host-2 || to=host-3
done

cat <<EOF

### Tenant networks ($(date -u +%F), tree $(git -C "$REPO" rev-parse --short HEAD), $(nproc) cores, guests under TCG)

| measure | hvfabric | peer in the same run | ratio |
| --- | --- | --- | --- |
| TCP throughput host-1 → host-2 | guest to guest over VXLAN: ${guest_mbps} Mbit/s | iperf3 between the host namespaces: ${host_gbps} Gbit/s | $(awk -v g="$guest_mbps" -v h="$host_gbps" 'BEGIN{printf "%.3f", g/(h*1000)}') |
| create --wait → usable | first VSI of a new network on its host: ${first_ms} ms to its DHCP lease; second host: ${second_ms} ms | same create without vNIC, to its first tick: ${plain_ms} ms | $(awk -v a="$first_ms" -v b="$plain_ms" 'BEGIN{printf "%.2f", a/b}') |

| migration | to | total ms | downtime ms | pings lost | gap ms (lost × 10) | gap − downtime ms |
| --- | --- | --- | --- | --- | --- | --- |
${rows}
EOF
