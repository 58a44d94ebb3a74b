// The user's command template: parsed into argv by the harness (no shell), with each placeholder
// replaced inside the word it stands in, so a value is always exactly one argument and is never
// parsed again (a file name with spaces or quotes cannot inject anything). With --shell the
// template goes to `sh -c` instead and each value is inserted single-quoted. docs/client.md
// states the quoting rules.

export const placeholders = ["host", "port", "url", "server_name", "ca", "cert", "key", "chain", "p12", "proxy_host", "proxy_port"] as const;
export type Placeholder = (typeof placeholders)[number];
export type PlaceholderValues = Record<Placeholder, string>;

export class TemplateError extends Error {}

const placeholderPattern = new RegExp(`\\{(${placeholders.join("|")})\\}`, "g");

/** Characters a shell would treat as syntax: unquoted in a template run without a shell, they are a mistake. */
const shellSyntax = /[|&;<>()$`*?~#]/;

/** One word of the template, as text with placeholders not yet replaced. */
export function splitTemplate(template: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let index = 0; index < template.length; index++) {
    const char = template[index]!;
    if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (char === "'") {
      const end = template.indexOf("'", index + 1);
      if (end < 0) throw new TemplateError(`failed to parse the command: unterminated ' at character ${index + 1}`);
      word += template.slice(index + 1, end);
      index = end;
    } else if (char === '"') {
      let end = index + 1;
      for (; end < template.length && template[end] !== '"'; end++) {
        // Inside double quotes a backslash escapes only " \ $ ` (as in sh); elsewhere it stays.
        if (template[end] === "\\" && end + 1 < template.length && '"\\$`'.includes(template[end + 1]!)) end++;
        word += template[end];
      }
      if (end >= template.length) throw new TemplateError(`failed to parse the command: unterminated " at character ${index + 1}`);
      index = end;
    } else if (char === "\\") {
      if (index + 1 >= template.length) throw new TemplateError("failed to parse the command: it ends with a backslash");
      // Backslash-newline continues the line, as in sh.
      if (template[index + 1] !== "\n") word += template[index + 1];
      else if (!word) inWord = false;
      index++;
    } else if (shellSyntax.test(char)) {
      throw new TemplateError(`failed to parse the command: "${char}" at character ${index + 1} is shell syntax; quote it, or pass --shell to run the command with sh -c`);
    } else {
      word += char;
    }
  }
  if (inWord) words.push(word);
  if (!words.length) throw new TemplateError("failed to parse the command: it is empty");
  return words;
}

/** Replaces every known placeholder in one word; other braces are left as they are. */
export function fillWord(word: string, values: PlaceholderValues): string {
  return word.replace(placeholderPattern, (_match, name: Placeholder) => values[name]);
}

/** A value as one sh word: single-quoted, with each ' closed, escaped and reopened. */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** The program and its arguments for one scenario. */
export function commandLine(template: string, values: PlaceholderValues, shell: boolean): { program: string; args: string[] } {
  if (shell) return { program: "sh", args: ["-c", template.replace(placeholderPattern, (_match, name: Placeholder) => shellQuote(values[name]))] };
  const [program, ...args] = splitTemplate(template).map((word) => fillWord(word, values));
  return { program: program!, args };
}

/** The placeholders a template uses (the {p12} file is written only when asked for). */
export function usedPlaceholders(template: string): Set<Placeholder> {
  return new Set([...template.matchAll(placeholderPattern)].map((match) => match[1] as Placeholder));
}
