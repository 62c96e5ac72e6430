# shellcheck shell=bash
# Controller members, sourced by nvlab-node.

# A controller member: one member of the store's Raft cluster (the first member creates it, the
# others join), then the controller itself, which writes $CONTROLLER_READY once it listens.
# With TLS (NVLAB_TLS=1) the store's clients and its Raft peers connect over ssl:, each showing a
# certificate of the controllers' authority, the only one the store takes (a switch's
# certificate, of the nodes' authority, opens neither port).
STORE_DB=$STATE/store/nvstore.db
STORE_SCHEMA=/opt/nvlab/nvstore.ovsschema
CONTROLLER=/opt/nvlab/controller/member.mjs
CONTROLLER_READY=/run/nvlab/controller.ready
CONTROLLER_WAITING=/run/nvlab/controller.waiting

init_controller() {
  local first="" others="" rec name ip proto=tcp ssl=()
  if tls_on; then
    proto=ssl
    ssl=(--private-key="$NVLAB_PKI/key.pem" --certificate="$NVLAB_PKI/cert.pem" --ca-cert="$NVLAB_PKI/controllers-ca.pem")
  fi
  no_offload eth0
  mkdir -p "$STATE/store" /run/nvlab /var/log/nvlab
  for rec in ${NVLAB_MEMBERS:-}; do
    name=${rec%%=*} ip=${rec#*=}
    [ -n "$first" ] || first=$ip
    [ "$name" = "$NVLAB_NODE" ] || others="$others $proto:$ip:$NVLAB_STORE_RAFT_PORT"
  done
  [ -n "$first" ] || fail "NVLAB_MEMBERS is empty"
  if [ ! -f "$STORE_DB" ]; then
    if [ "$first" = "$NVLAB_MGMT_IP" ]; then
      # A 100 ms election timer (OVSDB's default is 1 s). OVSDB adds a random 0-1 s to it, so a
      # killed leader is replaced 0.1-1.1 s after its last heartbeat, which bounds how fast its
      # switches can get a new master (docs/controller.md).
      ovsdb-tool --election-timer="${NVLAB_ELECTION_TIMER_MS:-100}" create-cluster "$STORE_DB" "$STORE_SCHEMA" \
        "$proto:$NVLAB_MGMT_IP:$NVLAB_STORE_RAFT_PORT" || fail "create the store cluster"
    else
      # shellcheck disable=SC2086
      ovsdb-tool join-cluster "$STORE_DB" NvStore "$proto:$NVLAB_MGMT_IP:$NVLAB_STORE_RAFT_PORT" $others || fail "join the store cluster"
    fi
  fi
  ovsdb-server "$STORE_DB" -vconsole:off --remote="p$proto:$NVLAB_STORE_PORT:$NVLAB_MGMT_IP" "${ssl[@]}" \
    --pidfile=/run/nvlab/nvstore.pid --unixctl=/run/nvlab/nvstore.ctl \
    --log-file=/var/log/nvlab/nvstore.log --detach || fail "store member did not start"
  [ -f "$CONTROLLER" ] || return 0
  rm -f "$CONTROLLER_READY" "$CONTROLLER_WAITING"
  node "$CONTROLLER" >>/var/log/nvlab/controller.log 2>&1 &
  local pid=$! i
  for i in $(seq 1 600); do
    # Listening, or waiting for a quorum of the store (a member started alone waits for a
    # second one; nothing it could do before is worth holding the start for).
    [ -f "$CONTROLLER_READY" ] || [ -f "$CONTROLLER_WAITING" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "controller exited: $(tail -n 5 /var/log/nvlab/controller.log)"
    sleep 0.05
  done
  fail "controller not listening after 30 s"
}
