#!/usr/bin/env bash
# Proves the README's two commands on a machine with Node.js and nothing else: the committed tree
# (git archive of REF, default HEAD) is unpacked into a container of the bare Debian base image
# (debootstrap minbase, harness/images/peer-images.ts), this machine's node and npm are mounted
# read-only, and `npm ci && npm test` runs there; it must exit 0, with the stacks that are not
# installed skipped. Network mode host (the engine has no bridge): npm reaches its registry, the
# tests listen on 127.x only. This machine's npm settings and NODE_EXTRA_CA_CERTS are passed in.
#
# Usage: bash harness/images/bare-check.sh [REF]   (needs the engine and the base image:
# npm run engine:up && npm run images:build). Environment: MTLS_BARE_TIMEOUT_S (default 1800).
set -euo pipefail
cd "$(dirname "$0")/../.."

ref="${1:-HEAD}"
timeout_s="${MTLS_BARE_TIMEOUT_S:-1800}"
fail() { echo "bare-check: failed to $*" >&2; exit 1; }

base="$(node_modules/.bin/tsx -e 'import("./harness/images/peer-images.ts").then((images) => console.log(images.baseImageTag()))')"
docker image inspect "$base" >/dev/null 2>&1 || fail "find the base image $base (npm run images:build)"
node="$(command -v node)"
npm_root="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" # .../node_modules/npm
modules="$(dirname "$npm_root")"

mounts=(-v "$node:/usr/bin/node:ro" -v "$modules:$modules:ro")
for file in "$(npm config get userconfig 2>/dev/null)" "$(npm config get globalconfig 2>/dev/null)" /etc/npmrc; do
  [ -f "$file" ] && mounts+=(-v "$file:$file:ro")
done
env_args=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  mounts+=(-v "$NODE_EXTRA_CA_CERTS:$NODE_EXTRA_CA_CERTS:ro")
  env_args+=(-e "NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS")
fi
cafile="$(npm config get cafile 2>/dev/null || true)"
[ -n "$cafile" ] && [ "$cafile" != "null" ] && [ -f "$cafile" ] && mounts+=(-v "$cafile:$cafile:ro")

archive="$(mktemp /tmp/mtls-bare-src-XXXXXX.tar)"
name="mtls-bare-check-$$"
cleanup() { docker rm --force "$name" >/dev/null 2>&1 || true; rm -f "$archive"; }
trap cleanup EXIT
git archive --format=tar "$ref" >"$archive" || fail "archive $ref"

echo "bare-check: $ref in $base, node $(node --version)" >&2
start=$(date +%s)
status=0
timeout "$timeout_s" docker run --name "$name" --network host "${mounts[@]}" "${env_args[@]}" \
  -v "$archive:/src.tar:ro" "$base" bash -c "
    set -e
    ln -sf $npm_root/bin/npm-cli.js /usr/local/bin/npm
    ln -sf $npm_root/bin/npx-cli.js /usr/local/bin/npx
    mkdir /project && tar -C /project -xf /src.tar && cd /project
    npm ci --no-audit --no-fund
    npm test
    node -e '
      const { totals, cases } = require(\"./reports/results.json\");
      const cells = cases.filter((entry) => entry.project === \"conformance\");
      const count = (filter) => cells.filter(filter).length;
      console.log(\"bare-check: totals \" + JSON.stringify(totals));
      console.log(\"bare-check: conformance cells: node \" + count((entry) => entry.properties.implementation === \"node\" && entry.verdict !== \"skipped\") + \" run, \" +
        count((entry) => entry.verdict === \"skipped\" && /^not installed/.test(entry.reason ?? \"\")) + \" skipped as not installed, \" +
        count((entry) => entry.properties.implementation !== \"node\" && entry.verdict !== \"skipped\") + \" run for other stacks\");
    '
  " || status=$?
echo "bare-check: exit $status after $(($(date +%s) - start)) s" >&2
exit "$status"
