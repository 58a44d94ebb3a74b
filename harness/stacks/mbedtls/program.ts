// The mbedTLS peer program (tlspeer.c) and how it is built: the host's cc against Debian's
// libmbedtls-dev, with the same flags as the image's build stage (Dockerfile), which installs it at inContainer.
import type { ProgramBuild } from "../types.js";

const flags = ["-O2", "-Wall", "-Werror"];
const libraries = ["-lmbedtls", "-lmbedx509", "-lmbedcrypto"];

export const mbedtlsPeerBuild: ProgramBuild = {
  name: "mbedtls",
  description: "the mbedTLS peer (apt-get install gcc libc6-dev libmbedtls-dev)",
  sources: ["tlspeer.c"],
  command: (out, sources) => ({ command: "cc", args: [...flags, "-o", `${out}/tlspeer`, ...sources, ...libraries] }),
  recipe: [...flags, ...libraries],
  artifact: "tlspeer",
  inContainer: "/usr/local/bin/mtls-mbedtls-peer",
};
