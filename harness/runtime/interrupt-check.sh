#!/usr/bin/env bash
# Proves that an interrupted process-runtime run leaves no process behind (harness/images/
# interrupt-check.sh does the same for containers): starts the conformance suites with a marker in
# their environment, waits until peers run in process groups of their own (every peer starts
# detached), sends SIGINT to the run's process group (what Ctrl-C in a terminal does), and then
# looks for any process that still carries the marker. Every child inherits the environment, so
# this finds peers that left the run's session (setsid) as well as its own workers.
# Run it several times to interrupt at different points: MTLS_INTERRUPT_AFTER_S sets the delay.
set -euo pipefail
cd "$(dirname "$0")/../.."

after_s="${MTLS_INTERRUPT_AFTER_S:-3}"
marker="mtls-interrupt-$$-$RANDOM$RANDOM"
log="$(mktemp /tmp/mtls-interrupt-XXXXXX.log)"
# A temp dir of the run's own: the fixtures and every peer's scratch dir (configs, keys) go there,
# so what the run left is told apart from other runs on the machine.
run_tmp="$(mktemp -d /tmp/mtls-interrupt-tmp-XXXXXX)"
trap 'rm -rf "$run_tmp"' EXIT
# Copies of the caches that outlive runs (built peer programs, the fixture cache), so the run does
# not rebuild them (a symlink is refused: build-peers.ts reuses only a directory the user owns).
for cache in "${TMPDIR:-/tmp}"/mtls-conformance-peers-* "${TMPDIR:-/tmp}"/mtls-conformance-cache-*; do
  [ -d "$cache" ] && cp -a "$cache" "$run_tmp/"
done

# pid, pgid and command of every process whose environment holds the marker.
marked() {
  local pids
  pids="$(grep -lsaF "MTLS_INTERRUPT_MARKER=$marker" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | paste -sd, || true)"
  [ -z "$pids" ] || ps -o pid=,pgid=,args= -p "$pids" 2>/dev/null || true
}

# setsid: the run gets a process group of its own, like a job in a terminal.
TMPDIR="$run_tmp" MTLS_RUNTIME=process MTLS_INTERRUPT_MARKER="$marker" setsid npx vitest run --project conformance --reporter=dot >"$log" 2>&1 &
run_pid=$!

# A peer is a marked process outside the run's group (its own, as a detached peer's is).
peers_up() { marked | awk -v group="$run_pid" '$2 != group { found = 1 } END { exit !found }'; }
for _ in $(seq 1 240); do
  peers_up && break
  sleep 0.25
done
if ! peers_up; then
  echo "interrupt-check: failed to see the run's peers within 60 s (log: $log); the run's processes:" >&2
  marked >&2
  kill -KILL -- "-$run_pid" 2>/dev/null || true
  exit 1
fi
echo "interrupt-check: peers up ($(marked | awk -v group="$run_pid" '$2 != group' | wc -l) processes outside the run's group); interrupting in ${after_s} s"
sleep "$after_s"
before="$(marked | awk -v group="$run_pid" '$2 != group' | wc -l)"
kill -INT -- "-$run_pid"
status=0
wait "$run_pid" || status=$?
echo "interrupt-check: the run exited with status $status; $before peer processes were running when it was interrupted"

# Exit handlers kill with SIGKILL, which takes effect at once; the grace only covers the kernel
# reaping them.
sleep 1
left="$(marked)"
if [ -n "$left" ]; then
  echo "interrupt-check: FAILED: processes left after SIGINT:" >&2
  echo "$left" >&2
  echo "$left" | awk '{ print $1 }' | xargs -r kill -KILL 2>/dev/null || true
  exit 1
fi
# The caches are meant to outlive the run; anything else named mtls-* is the run's.
left_dirs="$(find "$run_tmp" -mindepth 1 -maxdepth 1 -name 'mtls-*' ! -name 'mtls-conformance-*' -printf '%f ')"
if [ -n "$left_dirs" ]; then
  echo "interrupt-check: FAILED: the run's fixture or scratch dirs were left after SIGINT: $left_dirs" >&2
  exit 1
fi
echo "interrupt-check: ok, no process of the run left (log: $log)"
echo "interrupt-check: $(grep -o '·' "$log" | wc -l) tests had passed when it was interrupted"
rm -f "$log"
