// Every probe strategy, by the CheckProbe kind it runs (checks.ts). A new kind of check is its
// strategy module and one line here.
import type { CheckProbe } from "../checks.js";
import { expiryStrategy } from "./expiry.js";
import { negotiatedStrategy } from "./negotiated.js";
import { plaintextStrategy } from "./plaintext.js";
import { resumeStrategy } from "./resume.js";
import { savedSessionStrategy } from "./saved-session.js";
import { slowFirstByteStrategy } from "./slow-first-byte.js";
import { serverFirstStrategy } from "./server-first.js";
import { splitHelloStrategy } from "./split-hello.js";
import { serverChainStrategy, serverIdentityStrategy, serverNameStrategy } from "./server-certificate.js";
import type { CheckOf, ProbeStrategy } from "./strategy.js";
import { tlsStrategy } from "./tls.js";

type Registry = { [K in CheckProbe["kind"]]: ProbeStrategy<K> };

const registry: Registry = {
  plaintext: plaintextStrategy,
  tls: tlsStrategy,
  resume: resumeStrategy,
  "saved-session": savedSessionStrategy,
  "server-chain": serverChainStrategy,
  "server-name": serverNameStrategy,
  "server-identity": serverIdentityStrategy,
  expiry: expiryStrategy,
  negotiated: negotiatedStrategy,
  "split-hello": splitHelloStrategy,
  "slow-first-byte": slowFirstByteStrategy,
  "server-first": serverFirstStrategy,
};

/** The strategy of a check's probe kind. */
export const strategyOf = <K extends CheckProbe["kind"]>(check: CheckOf<K>): ProbeStrategy<K> => registry[check.probe.kind as K] as ProbeStrategy<K>;
