// The BoringSSL peer program (tlspeer.c) and how it is built: the host's cc against Debian's
// android-libboringssl-dev, whose headers live under /usr/include/android and whose libssl.so and
// libcrypto.so live under /usr/lib/<multiarch>/android (not on the linker's paths, hence -L and the
// rpath). The image's build stage (Dockerfile) runs the same script and installs it at inContainer.
import type { ProgramBuild } from "../types.js";

/** The compile line, shared with the Dockerfile's build stage: $1 the output, the rest the sources. */
export const boringsslCompile =
  'out="$1"; shift; lib="/usr/lib/$(cc -print-multiarch)/android"; exec cc -O2 -Wall -Werror -I/usr/include/android -o "$out" "$@" -L"$lib" -Wl,-rpath,"$lib" -lssl -lcrypto -lpthread';

export const boringsslPeerBuild: ProgramBuild = {
  name: "boringssl",
  description: "the BoringSSL peer (apt-get install gcc libc6-dev android-libboringssl-dev)",
  sources: ["tlspeer.c"],
  command: (out, sources) => ({ command: "sh", args: ["-c", boringsslCompile, "sh", `${out}/tlspeer`, ...sources] }),
  recipe: [boringsslCompile],
  artifact: "tlspeer",
  inContainer: "/usr/local/bin/mtls-boringssl-peer",
};
