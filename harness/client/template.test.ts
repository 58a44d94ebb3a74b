// The command template is parsed without a shell: each placeholder value is exactly one argument,
// whatever it holds; shell syntax outside quotes is refused with a hint to --shell.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { commandLine, placeholders, splitTemplate, TemplateError, usedPlaceholders, type PlaceholderValues } from "./template.js";

const values = Object.fromEntries(placeholders.map((name) => [name, `<${name}>`])) as PlaceholderValues;

describe("command templates", () => {
  it.each([
    ["curl --cacert {ca} {url}", ["curl", "--cacert", "<ca>", "<url>"]],
    ["wget --ca-certificate={ca}  \t {url}", ["wget", "--ca-certificate=<ca>", "<url>"]],
    [`python3 -c 'print("a b")' {url}`, ["python3", "-c", 'print("a b")', "<url>"]],
    [`sh -c "echo \\"\\$HOME\\" \\n"`, ["sh", "-c", 'echo "$HOME" \\n']],
    ["a\\ b c\\\n d", ["a b", "c", "d"]],
    ["tool -connect {host}:{port} {unknown} '{json}'", ["tool", "-connect", "<host>:<port>", "{unknown}", "{json}"]],
    ["x ''", ["x", ""]],
  ])("%j is %j", (template, argv) => {
    const { program, args } = commandLine(template, values, false);
    expect([program, ...args]).toEqual(argv);
  });

  it.each([
    ["curl {url} | cat", '"|" at character 12 is shell syntax'],
    ["curl $URL", '"$" at character 6 is shell syntax'],
    ["curl 'x", "unterminated ' at character 6"],
    ['curl "x', 'unterminated " at character 6'],
    ["curl \\", "ends with a backslash"],
    ["   ", "it is empty"],
  ])("refuses %j: %s", (template, message) => {
    expect(() => splitTemplate(template)).toThrow(TemplateError);
    expect(() => splitTemplate(template)).toThrow(message);
  });

  it("passes a hostile value as one argument, without a shell and with --shell", () => {
    const hostile = { ...values, ca: `/tmp/a b'c"; touch /tmp/pwned $(id) \`id\`` };
    const direct = commandLine("printf %s {ca}", hostile, false);
    expect(direct.args).toEqual(["%s", hostile.ca]);
    expect(execFileSync(direct.program, direct.args, { encoding: "utf8" })).toBe(hostile.ca);
    const shell = commandLine("printf %s {ca}", hostile, true);
    expect(shell.program).toBe("sh");
    expect(execFileSync(shell.program, shell.args, { encoding: "utf8" })).toBe(hostile.ca);
  });

  it("names the placeholders a template uses", () => {
    expect([...usedPlaceholders("java -jar c.jar {p12} {url} {p12} {nope}")].sort()).toEqual(["p12", "url"]);
  });
});
