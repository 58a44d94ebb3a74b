// The Python peer program (tlspeer.py, standard library only). It needs no build: the process
// runtime runs the file in this folder, the image copies the same file to a fixed path (Dockerfile).
// -I (isolated: no PYTHON* variables, no user site, no script directory on sys.path) keeps the
// host's environment out of the stack under test; -B writes no __pycache__ beside the source.
import { fileURLToPath } from "node:url";
import type { RuntimeName } from "../../runtime/types.js";

export const pythonPeerSource = "tlspeer.py";

/** Where the python image installs tlspeer.py (Dockerfile in this folder). */
const inContainer = "/usr/local/lib/mtls-conformance/python/tlspeer.py";

/** The interpreter's arguments before the mode, as `runtime` sees the program. */
export function pythonPeerArgs(runtime: RuntimeName): string[] {
  const script = runtime === "container" ? inContainer : fileURLToPath(new URL(pythonPeerSource, import.meta.url));
  return ["-I", "-B", script];
}
