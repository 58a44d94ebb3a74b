// The Go peer program (tlspeer.go, standard library only) and how it is built. The host build
// never reaches a module proxy (GO111MODULE=off, GOPROXY=off); CGO_ENABLED=0 gives a static binary
// that needs no C toolchain. Its build cache is shared across source versions, so a rebuild after
// an edit takes about a second, not the ten of a cold standard-library compile (measured, Go 1.19
// on 2 cores). The image builds the same source (Dockerfile) and installs it at inContainer.
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProgramBuild } from "../types.js";

export const goPeerBuild: ProgramBuild = {
  name: "go",
  description: "the Go peer (apt-get install golang-go)",
  sources: ["tlspeer.go"],
  command: (out, sources) => {
    const shared = join(tmpdir(), "mtls-conformance-go");
    return {
      command: "go",
      args: ["build", "-trimpath", "-o", join(out, "tlspeer"), ...sources],
      env: {
        GO111MODULE: "off",
        GOPROXY: "off",
        GOFLAGS: "",
        GOENV: "off",
        GOTOOLCHAIN: "local",
        GOTELEMETRY: "off",
        CGO_ENABLED: "0",
        GOCACHE: join(shared, "cache"),
        GOPATH: join(shared, "path"),
      },
    };
  },
  artifact: "tlspeer",
  inContainer: "/usr/local/bin/mtls-tlspeer",
};
