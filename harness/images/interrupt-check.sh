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

# setsid: the run gets a process group of its own, like a job in a terminal.
MTLS_RUNTIME=container setsid npx vitest run --project conformance --reporter=dot >"$log" 2>&1 &
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
if [ -n "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -newer "$log" \( -name 'mtls-fixtures-*' -o -name 'mtls-scratch-*' \) -print -quit)" ]; then
  echo "interrupt-check: FAILED: the run's fixture or scratch dir was left after SIGINT" >&2
  exit 1
fi
if pgrep -f "docker exec .*mtls-peer-" >/dev/null; then
  echo "interrupt-check: FAILED: docker exec clients left after SIGINT" >&2
  exit 1
fi
echo "interrupt-check: ok, no container labelled $label left (log: $log)"
echo "interrupt-check: $(grep -o '·' "$log" | wc -l) tests had passed when it was interrupted"
rm -f "$log"
