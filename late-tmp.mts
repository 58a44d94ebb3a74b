import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcess } from "/work/wt-int/harness/runtime/process.ts";
import { holdDir, isRunning } from "/work/wt-int/harness/runtime/exit-cleanup.ts";
const first = await startProcess("sh", ["-c", "echo ready; exec sleep 60"], { ready: /^ready$/m, readyTimeoutMs: 10_000, description: "a sleeping peer" });
process.on("SIGINT", () => {
  const dir = mkdtempSync(join(tmpdir(), "mtls-exit-cleanup-late-"));
  holdDir(dir);
  const late = startProcess("sh", ["-c", "echo ready; exec sleep 61"], { ready: /^ready$/m, readyTimeoutMs: 2_000, description: "a late peer" });
  late.catch(() => undefined);
  setTimeout(() => console.log(JSON.stringify({ dir, dirLeft: existsSync(dir) })), 10);
});
console.log(JSON.stringify({ peer: first.pid }));
setInterval(() => {}, 1_000);
