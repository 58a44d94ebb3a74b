// A stack's version is found once for the run (the conformance global setup) and taken by the
// workers as is: the line is the stack's own, as its version command prints it.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { processRuntime } from "../runtime/process.js";
import { missingTools } from "./context.js";
import { adoptVersions, implementationsFor, stackVersions } from "./implementations.js";

describe("stack versions", () => {
  it.skipIf(missingTools("openssl"))("finds each named stack's version line once, the line its own command prints", async () => {
    const found = await stackVersions(processRuntime, ["openssl", "no-such-stack"]);
    expect(found).toEqual({ openssl: execFileSync("openssl", ["version"], { encoding: "utf8" }).trim().split("\n")[0] });
  });

  it("takes versions another process found, without running the stack's command", async () => {
    adoptVersions("process", { curl: "curl 0.0.0 (found by the run's setup)" });
    const curl = implementationsFor("client", processRuntime).find((implementation) => implementation.name === "curl")!;
    expect(await curl.version()).toBe("curl 0.0.0 (found by the run's setup)");
    // Another runtime's versions are its own.
    adoptVersions("container", { curl: "curl in its image" });
    expect(await curl.version()).toBe("curl 0.0.0 (found by the run's setup)");
  });
});
