// The Java peer program (TlsPeer.java, JDK only) and how it is built: javac on the host into a
// class path; the image compiles the same source (Dockerfile) and installs it at inContainer.
import type { ProgramBuild } from "../types.js";

export const javaPeerBuild: ProgramBuild = {
  name: "java",
  description: "the Java peer (apt-get install openjdk-17-jdk-headless)",
  sources: ["TlsPeer.java"],
  command: (out, sources) => ({ command: "javac", args: ["--release", "17", "-Xlint:all", "-Werror", "-d", out, ...sources] }),
  artifact: "",
  inContainer: "/usr/local/lib/mtls-conformance/java",
};
