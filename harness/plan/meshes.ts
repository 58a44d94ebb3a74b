// The meshes `plan` reads, in the order their membership is asked.
import { consul } from "./consul.js";
import type { MeshResolver } from "./declaration.js";
import { istio } from "./istio.js";
import { kuma } from "./kuma.js";
import { linkerd } from "./linkerd.js";

export const meshResolvers: readonly MeshResolver[] = [istio, linkerd, kuma, consul];
