// The README's quick start is what CI runs: every command in its shell blocks begins a line of
// .ci/run (which may add flags), so the commands a user is told to type are the ones proven.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

/** The commands of the `sh` blocks of one `## ` section of a markdown text, comments dropped. */
function sectionCommands(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`failed to find the section ## ${heading}`);
  const next = markdown.indexOf("\n## ", start + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    block[1]!
      .split("\n")
      .map((line) => line.replace(/\s+#.*$/, "").trim())
      .filter((line) => line !== ""),
  );
}

describe("the README's quick start", () => {
  it("is what .ci/run runs: npm ci, npm run setup, npm test and npm run test:containers", () => {
    const commands = sectionCommands(readFileSync(resolve(root, "README.md"), "utf8"), "Quick start");
    expect(commands).toEqual(expect.arrayContaining(["npm ci", "npm test", "npm run test:containers"]));
    const ci = readFileSync(resolve(root, ".ci/run"), "utf8").split("\n").map((line) => line.trim());
    expect(commands.filter((command) => !ci.some((line) => line === command || line.startsWith(`${command} `)))).toEqual([]);
  });

  it("reads commands from the section's shell blocks only, without their comments", () => {
    const markdown = "# t\n\n## Quick start\n\n```sh\nnpm ci\nnpm test   # all\n```\n\n```\nnot sh\n```\n\n## Next\n\n```sh\nnpm run other\n```\n";
    expect(sectionCommands(markdown, "Quick start")).toEqual(["npm ci", "npm test"]);
    expect(() => sectionCommands(markdown, "Missing")).toThrow("failed to find the section ## Missing");
  });
});
