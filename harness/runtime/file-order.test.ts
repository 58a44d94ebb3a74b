import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { filesFirst, withFilesFirst } from "./file-order.js";

const root = new URL("../../", import.meta.url).pathname;

describe("file order", () => {
  it("names files that exist (a renamed file would quietly lose its place)", () => {
    for (const path of filesFirst) expect(existsSync(`${root}${path}`), path).toBe(true);
  });

  it("puts the live rotation and the modes file first in their project, the rest and the projects in the order given", () => {
    const files = [
      ["unit", "harness/a.test.ts"],
      ["unit", "harness/b.test.ts"],
      ["conformance", "suites/chain.test.ts"],
      ["conformance", "suites/modes.test.ts"],
      ["conformance", "suites/identity.test.ts"],
      ["conformance", "suites/rotation-live-permissive.test.ts"],
      ["conformance", "suites/rotation-live.test.ts"],
    ].map(([project, path]) => ({ project: project!, path: `${root}${path}` }));
    const ordered = withFilesFirst(files, (file) => file.project, (file) => file.path).map((file) => file.path.slice(root.length));
    expect(ordered).toEqual([
      "harness/a.test.ts",
      "harness/b.test.ts",
      "suites/rotation-live.test.ts",
      "suites/modes.test.ts",
      "suites/chain.test.ts",
      "suites/identity.test.ts",
      "suites/rotation-live-permissive.test.ts",
    ]);
  });
});
