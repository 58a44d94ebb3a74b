// `npm run flake -- --noise N`: keeps N cores busy while the runs go, to prove that a loaded runner
// (the normal case on 2-core CI machines) does not change a verdict. Each burner is a node process
// spinning on the CPU in a process group of its own, bounded twice: it exits by itself after
// `maxMs`, and stop() (or this process exiting, or a signal to it) kills the group.
import { spawn, type ChildProcess } from "node:child_process";

export interface CpuNoise {
  readonly burners: number;
  stop(): Promise<void>;
}

// Spins until its own deadline; checks the clock every million iterations, so it stays on the CPU.
const burnerSource = "const end = Date.now() + Number(process.argv[1]); for (;;) { for (let i = 0; i < 1e6; i++); if (Date.now() > end) break; }";

export class NoiseError extends Error {}

/** `--noise N`: a whole number of cores from 0 to 64. */
export function noiseFrom(value: string | undefined): number {
  if (value === undefined) return 0;
  const burners = Number(value);
  if (!Number.isInteger(burners) || burners < 0 || burners > 64) throw new NoiseError(`--noise must be a whole number of cores from 0 to 64 (got ${value})`);
  return burners;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Starts `burners` CPU burners that end by themselves after `maxMs` at the latest. */
export function startCpuNoise(burners: number, maxMs: number): CpuNoise {
  const children = Array.from({ length: burners }, () => spawn(process.execPath, ["-e", burnerSource, String(maxMs)], { stdio: "ignore", detached: true }));
  const onExit = () => children.forEach(killGroup);
  process.once("exit", onExit);
  return {
    burners,
    async stop() {
      process.off("exit", onExit);
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once("exit", () => resolve());
              killGroup(child);
            }),
        ),
      );
    },
  };
}
