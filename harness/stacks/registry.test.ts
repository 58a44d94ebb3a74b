// Every stack's capability declaration holds together: no capability both claimed (can) and
// explained as missing (cannot, notYet), none unknown.
import { describe, expect, it } from "vitest";
import { checkDeclarations } from "../core/capabilities.js";
import { stacks } from "./registry.js";

describe("the stacks' capability declarations", () => {
  it.each(stacks.map((stack) => [stack.name, stack] as const))("%s claims nothing it also explains as missing", (name, stack) => {
    expect(() => checkDeclarations(name, stack)).not.toThrow();
  });
});
