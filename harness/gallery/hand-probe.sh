#!/bin/bash
# The by-hand probes behind the gallery's ground truth (docs/gallery.md): a plaintext HTTP request
# over bare TCP, then `openssl s_client` with no client certificate and with each fixture client
# certificate. Prints the lines that matter from each.
#
#   hand-probe.sh FIXTURE_DIR HOST:PORT [extra s_client args, e.g. -tls1_2, -alpn h2, -starttls postgres]
#   INPUT='' hand-probe.sh ...   sends nothing after the handshake (non-HTTP services); WAIT=s keeps stdin open
set -u
fx=$1 target=$2; shift 2
host=${target%:*} port=${target##*:}
input=${INPUT-'GET / HTTP/1.1\r\nHost: api.mesh.test\r\nConnection: close\r\n\r\n'}

echo "### plaintext: GET / HTTP/1.0 over TCP"
node -e '
const socket = require("net").connect(+process.argv[2], process.argv[1]);
let answer = "";
const end = (how) => { console.log(`[${how}] ${JSON.stringify(answer.slice(0, 300))}`); process.exit(); };
socket.setTimeout(4000, () => end("timeout, still open"));
socket.on("connect", () => socket.write("GET / HTTP/1.0\r\nHost: api.mesh.test\r\n\r\n"));
socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
socket.on("error", (error) => end(`error ${error.code}`));
socket.on("close", () => end("closed"));' "$host" "$port"

for cert in none client-untrusted client-self-signed client client-expired; do
  echo "### $cert $*"
  args=()
  if [ "$cert" != none ]; then
    args=(-cert "$fx/$cert.crt" -key "$fx/$cert.key")
    [ -s "$fx/$cert.chain.pem" ] && args+=(-cert_chain "$fx/$cert.chain.pem")
  fi
  (printf "$input"; sleep "${WAIT:-2}") | timeout 6 openssl s_client -connect "$target" -servername api.mesh.test \
    -CAfile "$fx/trust-a.bundle.pem" "${args[@]}" "$@" 2>&1 |
    grep -aE "alert|errno|Protocol *:|HTTP/|ALPN protocol|^closed|hello|<title>|^New,|unexpected eof" | sort -u
  echo "exit ${PIPESTATUS[1]}"
done
