# shellcheck shell=bash
# Transport nodes (hypervisor, service node, l2 and l3 gateway), sourced by nvlab-node: VMs and
# logical routers as namespaces on br-int, the node's OVS brought up in one transaction, and the
# plug, prepare, attach and unplug commands.

# Creates the VM's namespace and veth; prints the ovs-vsctl arguments that attach it, so init
# can attach every VM in one transaction.
vm_create() {
  local port=$1 ifname=$2 mac=$3 addr=$4 gateway=${5:-} route=true
  [ -z "$gateway" ] || route="ip route add default via $gateway"
  ip netns del "$port" 2>/dev/null
  ip link del "$ifname" 2>/dev/null
  ip netns add "$port" || return 1
  ip link add "$ifname" type veth peer name eth0 netns "$port" || return 1
  # Inside the VM, in one shell. No IPv6: its autoconfiguration chatter would add frames to
  # every flood count. /proc/sys is read-only in containers, but `ip netns exec` runs in a
  # private mount namespace where it can be remounted.
  ip netns exec "$port" sh -c "
    mount -o remount,rw /proc/sys && sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip link set eth0 address $mac && ip addr add $addr dev eth0 && ip link set lo up && ip link set eth0 up &&
    $route && { ethtool -K eth0 tx off tso off gso off >/dev/null 2>&1; true; }" || return 1
  no_offload "$ifname"
  ip link set "$ifname" up || return 1
  [ -d "$VMS" ] || mkdir -p "$VMS"
  echo "$port $ifname $mac $addr $gateway" >"$VMS/$port"
  echo "-- --may-exist add-port br-int $ifname" \
    "-- set interface $ifname external_ids:iface-id=$port external_ids:attached-mac=$mac" \
    "external_ids:iface-status=active"
}

# A logical router on an l3 gateway: network namespace ROUTER, made anew (a restarted node lost
# the old one), IPv6 off (no autoconfiguration chatter), forwarding on. The kernel does the
# router's work: ARP, TTL, routing between its ports, SNAT on the uplink.
router_create() {
  local router=$1
  ip netns del "$router" 2>/dev/null
  ip netns add "$router" || return 1
  ip netns exec "$router" sh -c "
    mount -o remount,rw /proc/sys && sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=1 &&
    ip link set lo up"
}

# One port of a router: a veth named IFNAME on both sides, the inner end with the port's MAC and
# address, the outer one in br-int with the port's iface-id (the controller decides what reaches
# it). With snat, what leaves through this port takes its address. Prints the ovs-vsctl arguments.
router_port_create() {
  local router=$1 ifname=$2 id=$3 mac=$4 addr=$5 snat=${6:-}
  ip link del "$ifname" 2>/dev/null
  ip link add "$ifname" type veth peer name "$ifname" netns "$router" || return 1
  ip netns exec "$router" sh -c "
    ip link set $ifname address $mac && ip addr add $addr dev $ifname && ip link set $ifname up &&
    { ethtool -K $ifname tx off tso off gso off >/dev/null 2>&1; true; }" || return 1
  if [ "$snat" = snat ]; then
    printf 'table ip nvlab {\n  chain postrouting { type nat hook postrouting priority 100; policy accept; oifname "%s" snat to %s; }\n}\n' \
      "$ifname" "${addr%/*}" | ip netns exec "$router" nft -f - || return 1
  fi
  no_offload "$ifname"
  ip link set "$ifname" up || return 1
  echo "-- --may-exist add-port br-int $ifname" \
    "-- set interface $ifname external_ids:iface-id=$id external_ids:attached-mac=$mac" \
    "external_ids:iface-status=active"
}

# Every router of NVLAB_ROUTERS, its namespace first; prints the ovs-vsctl arguments of its ports.
routers_create() {
  local rec r i id m a s made=" "
  for rec in ${NVLAB_ROUTERS:-}; do
    IFS=, read -r r i id m a s <<<"$rec"
    case "$made" in *" $r "*) ;; *) router_create "$r" || return 1; made="$made$r " ;; esac
    router_port_create "$r" "$i" "$id" "$m" "$a" "$s" || return 1
  done
}

# Every static route of NVLAB_ROUTES ("ROUTER,PREFIX,NEXT-HOP ..."), in its router's namespace:
# run once routers_create has brought every port up, so each next hop is on a connected subnet.
routes_create() {
  local rec r p h
  for rec in ${NVLAB_ROUTES:-}; do
    IFS=, read -r r p h <<<"$rec"
    ip netns exec "$r" ip route add "$p" via "$h" || return 1
  done
}

cmd_plug() {
  [ $# -eq 4 ] || [ $# -eq 5 ] || fail "usage: nvlab-node plug PORT IFNAME MAC IP/LEN [GATEWAY]"
  local args
  args=$(vm_create "$@") || fail "plug $1"
  # shellcheck disable=SC2086
  ovs-vsctl $args || fail "attach $1 to br-int"
}

cmd_prepare() {
  [ $# -eq 4 ] || [ $# -eq 5 ] || fail "usage: nvlab-node prepare PORT IFNAME MAC IP/LEN [GATEWAY]"
  mkdir -p "$VMS"
  vm_create "$@" >"$VMS/$1.attach" || fail "prepare $1"
}

cmd_attach() {
  [ $# -eq 1 ] && [ -f "$VMS/$1.attach" ] || fail "usage: nvlab-node attach PORT (after prepare)"
  # shellcheck disable=SC2046
  ovs-vsctl $(cat "$VMS/$1.attach") || fail "attach $1 to br-int"
  rm -f "$VMS/$1.attach"
}

cmd_unplug() {
  [ $# -eq 1 ] || fail "usage: nvlab-node unplug PORT"
  local port=$1 ifname
  [ -f "$VMS/$port" ] || fail "no VM $port on this node"
  ifname=$(awk '{print $2}' "$VMS/$port")
  ovs-vsctl --if-exists del-port br-int "$ifname"
  ip link del "$ifname" 2>/dev/null
  ip netns del "$port" 2>/dev/null
  rm -f "$VMS/$port"
}

# A service node or l3 gateway comes back without flows (vswitchd keeps none), yet its tunnels'
# BFD would come up at once: hypervisors would flood (or route) through it into nothing, and a
# standby gateway would hand its routers back to it. Until its master has installed its flows and
# clears the flag, BFD tells them "concatenated path down" and they keep using the others; with
# no controller alive, they keep doing so.
hold_tunnels() {
  local i
  [ "$NVLAB_ROLE" = service-node ] || [ "$NVLAB_ROLE" = l3-gateway ] || return 0
  for i in $(ovs-vsctl --no-wait --bare --columns=name find Interface bfd:enable=true); do
    ovs-vsctl --no-wait set Interface "$i" bfd:cpath_down=true || fail "hold $i"
  done
}

# All of OVS's configuration goes into its database in one transaction before ovs-vswitchd
# starts, so vswitchd comes up with its final configuration in a single reconfiguration.
init_transport_node() {
  local nic mac mtu args one rec p i m a g
  start_ovsdb
  nic=$(underlay_nic)
  [ -n "$nic" ] || fail "no interface holds the underlay address $NVLAB_UNDERLAY"
  read -r mac <"/sys/class/net/$nic/address"
  read -r mtu <"/sys/class/net/$nic/mtu"
  no_offload "$nic"
  ip addr flush dev "$nic"
  # A gateway's NICs on physical networks are ports of br-int (the controller bridges them onto
  # logical switches, or to its routers' uplinks), offloads off, unseen by the kernel (nft
  # below). Each keeps the attachment's address, which only names it: nothing on the node itself
  # talks on the segment.
  for i in ${NVLAB_PHYSICAL_NICS:-}; do
    [ -e "/sys/class/net/$i" ] || fail "no physical NIC $i"
    no_offload "$i"
  done
  drop_kernel_ingress "$nic" ${NVLAB_PHYSICAL_NICS:-}
  args=$(bridge_args "$nic" "$mac" "$mtu")
  for i in ${NVLAB_PHYSICAL_NICS:-}; do args="$args -- --may-exist add-port br-int $i"; done
  if [ ! -f "$STATE/initialized" ]; then
    for rec in ${NVLAB_PORTS:-}; do
      IFS=, read -r p i m a g <<<"$rec"
      one=$(vm_create "$p" "$i" "$m" "$a" "$g") || fail "plug $p"
      args="$args $one"
    done
    touch "$STATE/initialized"
  else
    # A restarted node: its VMs died with the old network namespace; plug them again.
    for rec in "$VMS"/*; do
      [ -f "$rec" ] || continue
      case "$rec" in *.attach) rm -f "$rec"; continue ;; esac
      # shellcheck disable=SC2046
      one=$(vm_create $(cat "$rec")) || fail "replug $(basename "$rec")"
      args="$args $one"
    done
  fi
  # Routers are part of the node's configuration: made at every start, like its bridges.
  one=$(routers_create) || fail "logical routers"
  args="$args $one"
  routes_create || fail "static routes of the logical routers"
  # shellcheck disable=SC2086
  ovs-vsctl --no-wait init $args || fail "OVS configuration"
  hold_tunnels
  start_vswitchd
  # Without --no-wait, ovs-vsctl returns once vswitchd has applied the configuration.
  ovs-vsctl --timeout=60 set open_vswitch . external_ids:nvlab-boot="$EPOCHSECONDS" ||
    fail "ovs-vswitchd did not apply its configuration"
  # br-phy has two ports, the NIC and its own: a wire, not a learning switch. With its default
  # NORMAL flow (and in-band control's hidden ones for ARP, off above), the first packet from
  # each peer taught it a MAC and made ovs-vswitchd revalidate every datapath flow, on every node
  # a new peer reached at once. NORMAL stays below these flows for anything else (and if they
  # are lost with a restarted ovs-vswitchd).
  printf '%s\n' "priority=10,in_port=$nic,actions=LOCAL" "priority=10,in_port=LOCAL,actions=$nic" |
    ovs-ofctl add-flows br-phy - || fail "br-phy flows"
  printf '%s\n' "addr replace $NVLAB_UNDERLAY dev br-phy" "link set br-phy up" | ip -batch - || fail "transport IP on br-phy"
}

# OVS's userspace tunnels keep their own neighbour cache and drop the first packet to an
# endpoint they have not resolved yet. The controller records each tunnel's remote MAC on its
# Interface; as tunnels appear, put them in the cache so no first packet is lost. The agent runs
# this itself once the node is ready (nvlab-node), until ovsdb-server goes. tunnel-neighbours.pl
# sets them all over one control connection (a 200-node switch has 199 tunnels per node). It
# runs in the background and the agent waits for it, since bash runs a trap (TERM) during `wait`
# but not while a foreground child runs.
warm_tunnel_neighbours() {
  perl /usr/local/lib/nvlab/tunnel-neighbours.pl < <(exec ovsdb-client monitor unix:/run/openvswitch/db.sock Open_vSwitch Interface options,external_ids --format=csv 2>/dev/null) &
  wait $!
}
