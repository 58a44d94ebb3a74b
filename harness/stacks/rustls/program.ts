// The rustls peer program (tlspeer.rs) and how it is built: Debian's cargo and rustc (not a rustup
// toolchain earlier on PATH), offline, against Debian's crate directory (librust-*-dev in
// /usr/share/cargo/registry) through a source replacement given on the command line, with the
// versions Cargo.lock pins (--locked). The target directory is shared across source versions, so
// a rebuild after an edit recompiles only the peer, not ring's C code (docs/architecture.md has the
// figures). The image builds the same source (Dockerfile) and installs it at inContainer.
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProgramBuild } from "../types.js";

/** The cargo flags that keep the build to Debian's crates, shared by the host build and the image (Dockerfile). */
export const offlineCargoArgs = [
  "build", "--offline", "--locked", "--release",
  "--config", 'source.crates-io.replace-with="debian"',
  "--config", 'source.debian.directory="/usr/share/cargo/registry"',
];

export const rustlsPeerBuild: ProgramBuild = {
  name: "rustls",
  description: "the rustls peer (apt-get install cargo librust-rustls-dev librust-rustls-pemfile-dev)",
  sources: ["Cargo.toml", "Cargo.lock", "build.rs", "tlspeer.rs"],
  command: (out, sources) => {
    const shared = join(tmpdir(), "mtls-conformance-rustls");
    const manifest = sources[0]!;
    // cargo writes into the target directory, then the binary is copied into the cache directory.
    const script = 'cargo "$@" && cp "$CARGO_TARGET_DIR/release/tlspeer" "$OUT/tlspeer"';
    return {
      command: "sh",
      args: ["-c", script, "sh", ...offlineCargoArgs, "--manifest-path", manifest],
      env: {
        PATH: "/usr/bin:/bin",
        RUSTC: "/usr/bin/rustc",
        CARGO_HOME: join(shared, "home"),
        CARGO_TARGET_DIR: join(shared, "target"),
        OUT: out,
      },
    };
  },
  recipe: offlineCargoArgs,
  artifact: "tlspeer",
  inContainer: "/usr/local/bin/mtls-tlspeer",
};
