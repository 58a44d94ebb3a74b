// The pin-host shim `botan tls_client` runs under (pin-host.c), built with the host's cc with the
// same flags as the image's shim stage (Dockerfile), which installs it at inContainer.
import type { ProgramBuild } from "../types.js";

const flags = ["-shared", "-fPIC", "-O2", "-Wall", "-Werror"];

export const pinHostBuild: ProgramBuild = {
  name: "pin-host",
  description: "the pin-host shim (apt-get install gcc libc6-dev)",
  sources: ["pin-host.c"],
  command: (out, sources) => ({ command: "cc", args: [...flags, "-o", `${out}/pin-host.so`, ...sources, "-ldl"] }),
  recipe: flags,
  artifact: "pin-host.so",
  inContainer: "/usr/local/lib/pin-host.so",
};
