#!/usr/bin/env bash
# Brings up a container engine for the container runtime, idempotently:
#   1. when no engine answers and dockerd is missing, installs docker.io from Debian (and debootstrap,
#      which builds the base image);
#   2. when no engine answers, starts dockerd without a bridge network and without iptables rules.
# Every container of the harness runs with network mode host and listens on 127.0.0.0/8 only, so
# the engine needs no network of its own; `--bridge=none` makes sure it never creates one.
#
# Environment: MTLS_DOCKERD_LOG (default /var/log/mtls-dockerd.log), MTLS_ENGINE_TIMEOUT_S (default 60).
set -euo pipefail

log="${MTLS_DOCKERD_LOG:-/var/log/mtls-dockerd.log}"
timeout_s="${MTLS_ENGINE_TIMEOUT_S:-60}"

say() { echo "engine: $*" >&2; }
fail() { echo "engine: failed to $*" >&2; exit 1; }

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

# apt-get as root, never starting the services it installs: a docker.io postinst that started
# dockerd through its init script would create the default bridge (docker0).
apt_install() {
  [ "$(id -u)" -eq 0 ] || fail "install $*: not root (run as root, or install them yourself)"
  local added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    added_policy=1
  fi
  timeout 600 apt-get update -qq || fail "run apt-get update"
  DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "$@" >/dev/null ||
    fail "install $* with apt-get"
  [ -z "$added_policy" ] || rm -f /usr/sbin/policy-rc.d
}

if engine_answers; then
  say "an engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown))"
  exit 0
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  # shellcheck disable=SC2207
  missing=($(printf '%s\n' "${missing[@]}" | sort -u))
  say "installing ${missing[*]} from Debian"
  apt_install "${missing[@]}"
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || fail "start dockerd: not root"
  say "starting dockerd (no bridge, no iptables), log in $log"
  mkdir -p "$(dirname "$log")"
  # setsid + nohup: the engine outlives this script and the terminal that ran it.
  setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false >>"$log" 2>&1 </dev/null &
fi

for _ in $(seq 1 "$timeout_s"); do
  if engine_answers; then
    say "engine up ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown))"
    exit 0
  fi
  sleep 1
done
fail "bring up the engine: docker info did not answer within ${timeout_s} s (see $log)"
