# The nvlab node image: every transport node, controller member and physical host runs it.
# BASE is debian:bookworm-slim where a registry serves it; offline, scripts/debian-base.sh builds
# an equivalent base with debootstrap and the image is built on top with --build-arg BASE=...
ARG BASE=debian:bookworm-slim
FROM ${BASE}

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openvswitch-switch iproute2 iputils-ping tcpdump ethtool nftables procps \
      # Controller members run the bundled controller on Debian's Node.js (18).
      nodejs \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 # The package's service setup is for systemd hosts; nodes start the daemons themselves.
 && rm -f /etc/openvswitch/conf.db

# What every node's first boot would otherwise make: the agent's and OVS's directories, and an
# empty OVS database of the package's schema, which a node copies (ovsdb-tool create parses the
# schema and syncs the file to disk, at every node's first boot).
RUN mkdir -p /var/lib/nvlab /run/openvswitch /var/log/openvswitch /usr/local/share/nvlab \
 && ovsdb-tool create /usr/local/share/nvlab/conf.db /usr/share/openvswitch/vswitch.ovsschema

COPY image/nvlab-node /usr/local/sbin/nvlab-node
COPY image/lib/ /usr/local/lib/nvlab/
ENTRYPOINT ["/usr/local/sbin/nvlab-node"]
CMD ["init"]
