#!/usr/bin/env bash
# Installs what nvlab and its tests need, idempotently, and says nothing when all is there:
# npm packages, Debian packages, a running Docker engine, and the node image.
# Where a Docker engine already answers (Docker Desktop, docker-ce), it is used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "bootstrap: $*" >&2; }

# npm packages: install when node_modules is missing or older than the lockfile.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  # `npm install` follows the lockfile like `npm ci`, but also accepts locks written by npm 11
  # without the optional packages of other platforms (which `npm ci` rejects); --no-save keeps
  # the tree clean.
  npm install --no-save --no-audit --no-fund --loglevel=error >&2
fi

# Debian packages: the package of every host program that nvlab and its tests run
# (scripts/host-programs.txt) that is not here yet.
need=()
while read -r program package _; do
  case "$program" in ''|'#'*) continue ;; esac
  command -v "$program" >/dev/null || need+=("$package")
done < scripts/host-programs.txt
# chromium only recommends a font; without one, pages and their screenshots have no text.
installed() { [ "$(dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
if command -v dpkg-query >/dev/null && ! installed fonts-liberation; then need+=(fonts-liberation); fi
# The Docker engine, where none answers yet (the docker client alone may come from elsewhere).
engine_up() { docker info >/dev/null 2>&1; }
if ! engine_up && ! command -v dockerd >/dev/null; then need+=(docker.io); fi
if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || { say "missing ${need[*]} and no apt-get to install them"; exit 1; }
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  say "installing ${need[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

# A Docker engine: start Debian's dockerd when none answers.
if ! engine_up; then
  say "starting dockerd (log: /var/log/nvlab-dockerd.log)"
  nohup dockerd >/var/log/nvlab-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do engine_up && break; sleep 0.5; done
  engine_up || { say "dockerd did not come up; see /var/log/nvlab-dockerd.log"; exit 1; }
fi

# The node image (built offline with debootstrap where no registry answers).
node bin/nvlab.js image >/dev/null
