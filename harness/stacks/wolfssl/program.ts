// The wolfSSL peer program (tlspeer.c) and how it is built: the host's cc against Debian's
// libwolfssl-dev, with the same flags as the image's build stage (Dockerfile), which installs it at inContainer.
import type { ProgramBuild } from "../types.js";

const flags = ["-O2", "-Wall", "-Werror"];

export const wolfsslPeerBuild: ProgramBuild = {
  name: "wolfssl",
  description: "the wolfSSL peer (apt-get install gcc libc6-dev libwolfssl-dev)",
  sources: ["tlspeer.c"],
  command: (out, sources) => ({ command: "cc", args: [...flags, "-o", `${out}/tlspeer`, ...sources, "-lwolfssl"] }),
  recipe: flags,
  artifact: "tlspeer",
  inContainer: "/usr/local/bin/mtls-wolfssl-peer",
};
