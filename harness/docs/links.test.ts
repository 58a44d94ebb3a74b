// Every relative link of README.md and docs/*.md leads to a file that exists and, with a fragment,
// to a heading of it; and the checker finds the dead ones it exists for.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { anchorOf, anchorsOf, brokenLinks, documentationFiles, relativeLinks } from "./links.js";

const root = resolve(import.meta.dirname, "../..");

describe("the README's and docs/' relative links", () => {
  it("all resolve, anchors included", () => {
    const files = documentationFiles(root);
    expect(files).toContain("docs/external.md");
    expect(brokenLinks(root, files)).toEqual([]);
  });

  it("reach every page of docs/ from the README", () => {
    const linked = new Set(relativeLinks(readFileSync(resolve(root, "README.md"), "utf8")).map((link) => link.target.split("#")[0]));
    expect(documentationFiles(root).filter((file) => file.startsWith("docs/") && !linked.has(file))).toEqual([]);
  });
});

describe("the link checker", () => {
  const pages: Record<string, string> = {
    "/r/README.md": "# Title\n\nSee [a](docs/a.md#the-flags---json-file), [b](docs/b.md), [c](docs/a.md#nowhere), [self](#title), [web](https://example.org/x.md).\n\n```sh\n[not a link](docs/none.md)\n```\n`[code](docs/none.md)`\n",
    "/r/docs/a.md": "# A\n\n## The flags (`--json FILE`)\n\n## Twice\n\n## Twice\n\n```\n# not a heading\n```\n[back](../README.md#title) [twice](#twice-1) [up](../../outside.md)\n",
  };
  const read = (path: string) => pages[path];

  it("names each dead file, missing anchor and escape, and nothing else", () => {
    expect(brokenLinks("/r", ["README.md", "docs/a.md"], read)).toEqual([
      "README.md:3: docs/b.md: docs/b.md does not exist",
      "README.md:3: docs/a.md#nowhere: docs/a.md has no heading #nowhere",
      "docs/a.md:12: ../../outside.md: leads outside the repository",
    ]);
  });

  it("names anchors as GitHub does", () => {
    expect(anchorOf("The control and the oracle (harness/external/oracle.ts)")).toBe("the-control-and-the-oracle-harnessexternaloraclets");
    expect(anchorOf("A gRPC collector (--protocol h2)")).toBe("a-grpc-collector---protocol-h2");
    expect(anchorOf("A whole `.ci/run`, and a bare machine")).toBe("a-whole-cirun-and-a-bare-machine");
    expect([...anchorsOf(pages["/r/docs/a.md"]!)]).toEqual(["a", "the-flags---json-file", "twice", "twice-1"]);
  });
});
