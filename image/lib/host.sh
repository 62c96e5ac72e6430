# shellcheck shell=bash
# Physical hosts, sourced by nvlab-node: a host on a VLAN tags with a small OVS of its own.

init_host() {
  local nic mac
  nic=$(nic_of "$NVLAB_HOST_IP")
  [ -n "$nic" ] || nic=$(iface_with "$NVLAB_HOST_IP")
  [ -n "$nic" ] && [ "$nic" != "eth0.${NVLAB_VLAN:-}" ] || nic=eth0
  no_offload "$nic"
  [ -n "${NVLAB_VLAN:-}" ] || return 0
  local port="$nic.$NVLAB_VLAN"
  read -r mac <"/sys/class/net/$nic/address"
  start_ovsdb
  ip addr flush dev "$nic"
  drop_kernel_ingress "$nic"
  ovs-vsctl --no-wait init \
    -- --may-exist add-br br-host -- set bridge br-host datapath_type=netdev \
    -- --may-exist add-port br-host "$nic" \
    -- --may-exist add-port br-host "$port" tag="$NVLAB_VLAN" \
    -- set interface "$port" type=internal mac="\"$mac\"" || fail "VLAN $NVLAB_VLAN"
  start_vswitchd
  ovs-vsctl --timeout=60 set open_vswitch . external_ids:nvlab-boot="$EPOCHSECONDS" ||
    fail "ovs-vswitchd did not apply its configuration"
  ip addr replace "$NVLAB_HOST_IP" dev "$port" || fail "address on VLAN $NVLAB_VLAN"
  ip link set "$port" up
}
