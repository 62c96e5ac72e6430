#!/usr/bin/env bash
# Builds a minimal Debian bookworm base image offline: debootstrap from the host's configured
# Debian mirror, then `docker import`. Used when no registry can serve debian:bookworm-slim.
# Usage: scripts/debian-base.sh TAG
set -euo pipefail
tag=${1:?usage: debian-base.sh TAG}
suite=bookworm

# The first Debian mirror the host's apt is configured with (deb822 or one-line format).
mirror=$(
  { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}'
  } | grep -v -e security -e nodesource -e google | head -n1
) || true
mirror=${mirror:-http://deb.debian.org/debian}

if ! command -v debootstrap >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

root=$(mktemp -d /tmp/nvlab-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "nvlab: debootstrap $suite from $mirror" >&2
debootstrap --variant=minbase "$suite" "$root" "$mirror" >&2
# Keep the image small: no apt lists or caches (the Dockerfile runs apt-get update itself).
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' - "$tag" >/dev/null
echo "nvlab: imported $tag" >&2
