// The one list of TLS stacks. Everything else reads it: the implementation list
// (harness/host/implementations.ts), image builds (harness/images/peer-images.ts), host builds of our
// own programs (stacks/common/program-build.ts), the host's Debian packages and programs (npm run
// setup, harness/host/setup.ts; skipping what is not installed, harness/host/detection.ts) and version reporting. Adding a stack: its folder, and one line here.
import { botan } from "./botan/stack.js";
import { boringssl } from "./boringssl/stack.js";
import { caddy } from "./caddy/stack.js";
import { curl } from "./curl/stack.js";
import { gnutls } from "./gnutls/stack.js";
import { go } from "./go/stack.js";
import { haproxy } from "./haproxy/stack.js";
import { java } from "./java/stack.js";
import { nginx } from "./nginx/stack.js";
import { node } from "./node/stack.js";
import { openssl } from "./openssl/stack.js";
import { python } from "./python/stack.js";
import { rustls } from "./rustls/stack.js";
import { stunnel } from "./stunnel/stack.js";
import { mbedtls } from "./mbedtls/stack.js";
import { wolfssl } from "./wolfssl/stack.js";
import type { StackDefinition } from "./types.js";

export const stacks: readonly StackDefinition[] = [
  node,
  openssl,
  go,
  java,
  gnutls,
  nginx,
  haproxy,
  caddy,
  stunnel,
  curl,
  python,
  botan,
  wolfssl,
  rustls,
  boringssl,
  mbedtls,
];

export function stackNamed(name: string): StackDefinition | undefined {
  return stacks.find((stack) => stack.name === name);
}
