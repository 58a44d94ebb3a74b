// The loopback-bind shim gnutls-serv runs under (loopback-bind.c), built with the host's cc with
// the same flags as the image's shim stage (Dockerfile), which installs it at inContainer.
import type { ProgramBuild } from "../types.js";

const flags = ["-shared", "-fPIC", "-O2", "-Wall", "-Werror"];

export const loopbackBindBuild: ProgramBuild = {
  name: "loopback-bind",
  description: "the loopback-bind shim (apt-get install gcc libc6-dev)",
  sources: ["loopback-bind.c"],
  command: (out, sources) => ({ command: "cc", args: [...flags, "-o", `${out}/loopback-bind.so`, ...sources, "-ldl"] }),
  recipe: flags,
  artifact: "loopback-bind.so",
  inContainer: "/usr/local/lib/loopback-bind.so",
};
