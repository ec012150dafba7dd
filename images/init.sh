#!/bin/busybox sh
# /init of the hvfabric default guest image (busybox, no real userland).
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

# Modules of virtio-modules.txt in dependency order; absent ones are skipped.
KVER=$(uname -r)
for m in $(cat /etc/hvf-modules); do
    [ -f "/lib/modules/$KVER/$m" ] && insmod "/lib/modules/$KVER/$m" 2>/dev/null
done

# QEMU guest agent responder on the virtio-serial port org.qemu.guest_agent.0.
# It waits 5 s for the port (30 s if a virtio-serial device is there but has not
# announced it yet) and exits 0, quietly, if the VSI has none; any other exit
# is a crash: start it again.
(
    while true; do
        /bin/hvf-qga -w 5 && break
        sleep 1
    done
) &

# ACPI power button (QMP system_powerdown) -> clean poweroff; QEMU then exits.
mkdir -p /etc/acpi/PWRF
printf '#!/bin/sh\necho hvf-poweroff >/dev/console\nsync\npoweroff -f\n' > /etc/acpi/PWRF/00000080
chmod +x /etc/acpi/PWRF/00000080
for i in 1 2 3 4 5 6 7 8 9 10; do
    ls /dev/input/event* >/dev/null 2>&1 && break
    sleep 0.1
done
# busybox acpid runs /etc/acpi/PWRF/00000080 on a power-button press.
acpid -f -c /etc/acpi -l /dev/null &

# Parse hvf.* arguments from the kernel command line.
NAME=$(hostname)
DIRTY=""
DIRTY_RATE=""
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        hvf.name=*) NAME="${arg#hvf.name=}" ;;
        hvf.dirty=*) DIRTY="${arg#hvf.dirty=}" ;;
        hvf.dirty_rate=*) DIRTY_RATE="${arg#hvf.dirty_rate=}" ;;
    esac
done
hostname "$NAME" 2>/dev/null
ip link set lo up 2>/dev/null

# Every vNIC (virtio_net names them ethN) gets its address by DHCP from the
# host's DHCP service of its network. udhcpc runs in the background and keeps
# asking (a discover a second) until a lease comes, since that service may start
# after the guest; it then renews the lease. /etc/udhcpc.script sets the address,
# prefix, MTU and default route and prints `hvf-net <if> <ip>/<prefix> mtu=<mtu>`.
# A VSI without vNICs has no ethN, and nothing starts.
for dev in /sys/class/net/eth*; do
    [ -e "$dev" ] || continue
    ifname=${dev##*/}
    ip link set dev "$ifname" up 2>/dev/null
    (
        while true; do
            udhcpc -f -i "$ifname" -s /etc/udhcpc.script -t 3 -T 1 -A 1 -O mtu -x "hostname:$NAME" \
                >/dev/null 2>&1
            sleep 1
        done
    ) &
done

# Every virtio disk (vda, vdb, ... in the VSI's disk order): its size in bytes and its serial (the volume's name),
# so its presence can be checked from the console: `hvf-disk vda 67108864 web-1-disk0`.
for dev in /sys/block/vd*; do
    [ -e "$dev" ] || continue
    d=${dev##*/}
    echo "hvf-disk $d $(( $(cat "$dev/size") * 512 )) $(cat "$dev/serial" 2>/dev/null)"
done

echo "hvf-boot $NAME"

if [ -n "$DIRTY" ]; then
    /bin/hvf-dirty "$DIRTY" $DIRTY_RATE &
fi

N=1
while true; do
    read -r UP _ < /proc/uptime
    echo "hvf-tick $N uptime=$UP"
    N=$((N + 1))
    sleep 1
done
