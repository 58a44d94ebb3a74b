// The meshes `plan` reads, in the order their membership is asked.
import type { MeshResolver } from "./declaration.js";
import { istio } from "./istio.js";

export const meshResolvers: readonly MeshResolver[] = [istio];
