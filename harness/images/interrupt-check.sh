#!/usr/bin/env bash
# Proves that an interrupted container run leaves no container behind: starts the conformance
# suites on the container runtime, waits until its containers run and tests are under way, sends
# SIGINT to the run's whole process group (what Ctrl-C in a terminal does), and checks that
# `docker ps -a` shows no container labelled mtls-conformance afterwards.
# Needs the engine and the images (npm run engine:up && npm run images:build).
set -euo pipefail
cd "$(dirname "$0")/../.."

label=mtls-conformance
after_s="${MTLS_INTERRUPT_AFTER_S:-8}"
log="$(mktemp /tmp/mtls-interrupt-XXXXXX.log)"

ours() { docker ps --all --quiet --filter "label=$label"; }

if [ -n "$(ours)" ]; then
  echo "interrupt-check: failed to start: containers labelled $label exist already ($(ours | tr '\n' ' '))" >&2
  exit 1
fi

# A temp dir of the run's own (fixtures, scratch dirs), so what this run left is told apart from
# other runs on the machine: a check by modification time once blamed this run for another's dirs.
run_tmp="$(mktemp -d /tmp/mtls-interrupt-tmp-XXXXXX)"
trap 'rm -rf "$run_tmp"' EXIT
# Copies of the caches that outlive runs (built peer programs, the fixture cache).
for cache in "${TMPDIR:-/tmp}"/mtls-conformance-peers-* "${TMPDIR:-/tmp}"/mtls-conformance-cache-*; do
  [ -d "$cache" ] && cp -a "$cache" "$run_tmp/"
done

# setsid: the run gets a process group of its own, like a job in a terminal.
TMPDIR="$run_tmp" MTLS_RUNTIME=container setsid npx vitest run --project conformance --reporter=dot >"$log" 2>&1 &
run_pid=$!

for _ in $(seq 1 120); do
  [ -n "$(ours)" ] && break
  sleep 0.5
done
[ -n "$(ours)" ] || { echo "interrupt-check: failed to see the run's containers within 60 s (log: $log)" >&2; kill -KILL -- "-$run_pid" 2>/dev/null || true; exit 1; }
echo "interrupt-check: $(ours | wc -l) containers up; interrupting in ${after_s} s"
sleep "$after_s"
kill -INT -- "-$run_pid"
status=0
wait "$run_pid" || status=$?
echo "interrupt-check: the run exited with status $status"

left="$(ours)"
if [ -n "$left" ]; then
  echo "interrupt-check: FAILED: containers left after SIGINT: $(echo "$left" | tr '\n' ' ')" >&2
  docker rm --force $left >/dev/null 2>&1 || true
  exit 1
fi
# The caches are meant to outlive the run; anything else named mtls-* is the run's.
left_dirs="$(find "$run_tmp" -mindepth 1 -maxdepth 1 -name 'mtls-*' ! -name 'mtls-conformance-*' -printf '%f ')"
if [ -n "$left_dirs" ]; then
  echo "interrupt-check: FAILED: the run's fixture or scratch dirs were left after SIGINT: $left_dirs" >&2
  exit 1
fi
if pgrep -f "docker exec .*mtls-peer-" >/dev/null; then
  echo "interrupt-check: FAILED: docker exec clients left after SIGINT" >&2
  exit 1
fi
# Peers entered with nsenter are processes of this host (harness/host/container-entry.ts).
if pgrep -f "^nsenter --target [0-9]+ --mount" >/dev/null; then
  echo "interrupt-check: FAILED: peers entered with nsenter left after SIGINT: $(pgrep -af "^nsenter --target [0-9]+ --mount" | cut -c1-120 | tr '\n' ' ')" >&2
  exit 1
fi
echo "interrupt-check: ok, no container labelled $label left (log: $log)"
echo "interrupt-check: $(grep -o '·' "$log" | wc -l) tests had passed when it was interrupted"
rm -f "$log"
