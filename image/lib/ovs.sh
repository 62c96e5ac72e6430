# shellcheck shell=bash
# Open vSwitch in a container, sourced by nvlab-node: the daemons on the userspace datapath,
# the bridges' configuration rows, and the kernel kept off the NIC OVS taps.

# The node's TLS material when NVLAB_TLS=1 (the lab puts it here: PKI_DIR, PKI_FILES in
# src/model/naming.ts): its key and certificate, and the authority it takes members' from.
NVLAB_PKI=/etc/nvlab/pki
tls_on() { [ "${NVLAB_TLS:-0}" = 1 ]; }

# Runs a command with its memory offered to the kernel's same-page merging (KSM; prctl
# PR_SET_MEMORY_MERGE, Linux 6.4+, kept across exec). ovs-vswitchd's userspace datapath fills 9 MB
# of flow caches (EMC and SMC) at start, the same bytes on every node: merged, a node costs about
# half. The host must run KSM (the Docker runtime turns it on); where the kernel has no such
# prctl, or the machine is not one whose syscall number is known here, the command runs as is.
mergeable() {
  local prctl
  case $HOSTTYPE in
    x86_64) prctl=157 ;;
    aarch64) prctl=167 ;;
    *) "$@"; return ;;
  esac
  perl -e "syscall($prctl, 67, 1, 0, 0, 0);"' exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!\n"' -- "$@"
}

start_ovsdb() {
  [ -d /run/openvswitch ] || mkdir -p /run/openvswitch /var/log/openvswitch /etc/openvswitch
  # A copy of the image's empty database (Dockerfile). It survives a stop/start of the container,
  # as a rebooted hypervisor keeps its own.
  [ -f /etc/openvswitch/conf.db ] || cp /usr/local/share/nvlab/conf.db /etc/openvswitch/conf.db ||
    fail "no OVS database"
  # Over TLS, the ssl: managers (members) use the SSL row the configuration transaction writes
  # (ssl_args), as ovs-vswitchd does for its ssl: controllers.
  local ssl=()
  tls_on && ssl=(--private-key=db:Open_vSwitch,SSL,private_key --certificate=db:Open_vSwitch,SSL,certificate
    --ca-cert=db:Open_vSwitch,SSL,ca_cert)
  # Logs go to /var/log/openvswitch; stdout carries only this agent's own lines.
  mergeable ovsdb-server /etc/openvswitch/conf.db -vconsole:off \
    --remote=punix:/run/openvswitch/db.sock \
    --remote=db:Open_vSwitch,Open_vSwitch,manager_options "${ssl[@]}" \
    --pidfile --detach --log-file || fail "ovsdb-server did not start"
}

# ovs-vsctl arguments for the node's one SSL row (TLS on): its key and certificate, and the
# controllers' authority, the only one whose members it connects to. Made anew at every start;
# the row it replaces is no longer referenced and goes with the same transaction.
ssl_args() {
  tls_on || return 0
  echo "-- --id=@ssl create SSL private_key=$NVLAB_PKI/key.pem certificate=$NVLAB_PKI/cert.pem" \
    "ca_cert=$NVLAB_PKI/controllers-ca.pem -- set open_vswitch . ssl=@ssl"
}

start_vswitchd() {
  # One malloc arena: glibc gives each thread its own, a heap each that the few threads of a
  # node's vswitchd never fill.
  MALLOC_ARENA_MAX=1 mergeable ovs-vswitchd -vconsole:off --pidfile --detach --log-file || fail "ovs-vswitchd did not start"
}

stop_ovs() {
  ovs-appctl -t ovs-vswitchd exit >/dev/null 2>&1 || true
  ovs-appctl -t ovsdb-server exit >/dev/null 2>&1 || true
}

# The NIC that carries the underlay: the one the runtime gave the transport IP, else the one
# holding it, or, on a restarted node whose address already moved to br-phy, the one br-phy holds.
underlay_nic() {
  local nic
  nic=$(nic_of "$NVLAB_UNDERLAY")
  [ -n "$nic" ] || nic=$(iface_with "$NVLAB_UNDERLAY")
  if [ -z "$nic" ] || [ "$nic" = br-phy ]; then
    nic=$(ovs-vsctl --no-wait list-ports br-phy 2>/dev/null | head -n1)
  fi
  echo "$nic"
}

# ovs-vsctl arguments for br-phy (holds the underlay NIC and, on its internal port, the
# transport IP: OVS userspace tunneling) and br-int (the integration bridge controllers program).
# One handler and one revalidator thread whatever the host's cores (OVS sizes both from them):
# on the userspace datapath the main thread handles upcalls itself, and a node's few datapath
# flows need no more.
bridge_args() {
  local nic=$1 mac=$2 mtu=$3
  echo "-- --may-exist add-br br-phy" \
    "-- set bridge br-phy datapath_type=netdev other_config:hwaddr=$mac other_config:disable-in-band=true" \
    "-- set interface br-phy mtu_request=$mtu" \
    "-- --may-exist add-port br-phy $nic" \
    "-- --may-exist add-br br-int" \
    "-- set bridge br-int datapath_type=netdev fail-mode=secure protocols=OpenFlow13" \
    "other_config:disable-in-band=true" \
    "-- set open_vswitch . external_ids:system-id=$NVLAB_NODE external_ids:hostname=$NVLAB_NODE" \
    "external_ids:nvlab-role=$NVLAB_ROLE" \
    "other_config:n-handler-threads=1 other_config:n-revalidator-threads=1"
  ssl_args
  # shellcheck disable=SC2086
  [ -z "${NVLAB_MANAGERS:-}" ] || connection_rows Manager "open_vswitch . manager_options" $NVLAB_MANAGERS
  # shellcheck disable=SC2086
  [ -z "${NVLAB_CONTROLLERS:-}" ] || connection_rows Controller "bridge br-int controller" $NVLAB_CONTROLLERS
}

# ovs-vsctl arguments for one Manager or Controller row per target, referenced from COLUMN (what
# set-manager and set-controller do), retried at most a second apart: a member back from a
# restart or a partition takes its switches over only once they reconnect to it, and OVS's own
# backoff grows to 8 s while it is away.
connection_rows() {
  local table=$1 column=$2 target ids="" i=0
  shift 2
  for target in "$@"; do
    i=$((i + 1))
    echo "-- --id=@$table$i create $table target=\"$target\" max_backoff=1000"
    ids="$ids${ids:+,}@$table$i"
  done
  echo "-- set $column=$ids"
}

# The kernel still sees the frames OVS taps from the NIC; drop them after the tap so the node
# does not answer ARP twice or send port-unreachables for tunnel packets. One chain per NIC given
# (the underlay NIC, and an L2 gateway's physical NICs).
drop_kernel_ingress() {
  local dev n=0
  {
    printf '%s\n' 'table netdev nvlab' 'delete table netdev nvlab' 'table netdev nvlab {'
    for dev in "$@"; do
      if [ "$n" -eq 0 ]; then
        echo "  chain underlay { type filter hook ingress device \"$dev\" priority 0; policy drop; }"
      else
        echo "  chain nic$n { type filter hook ingress device \"$dev\" priority 0; policy drop; }"
      fi
      n=$((n + 1))
    done
    echo '}'
  } | nft -f - || fail "nft ingress drop on $*"
}
