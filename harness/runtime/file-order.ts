// The order the conformance project's files start in. Two files take a wall time the CPU does not
// shorten: the live rotation plays one stack after another, and the modes file's detection rows wait
// 1 to 5 s on purpose. Started first, one in each worker, they run beside the other files' work;
// started last (vitest's own order follows the last run's durations, or on a fresh clone the files'
// sizes), a worker is left waiting on them at the end while the other has nothing left to do.
import { BaseSequencer, type TestSpecification } from "vitest/node";

export const filesFirst = ["suites/rotation-live.test.ts", "suites/modes.test.ts"];

/** `files` with those of filesFirst ahead of the others of their project, each in its order. */
export function withFilesFirst<T>(files: T[], projectOf: (file: T) => string, pathOf: (file: T) => string): T[] {
  const rank = (file: T) => {
    const index = filesFirst.findIndex((path) => pathOf(file).endsWith(`/${path}`));
    return index < 0 ? filesFirst.length : index;
  };
  const projects = [...new Set(files.map(projectOf))];
  return projects.flatMap((project) =>
    files
      .filter((file) => projectOf(file) === project)
      .map((file, index) => ({ file, index }))
      .sort((left, right) => rank(left.file) - rank(right.file) || left.index - right.index)
      .map(({ file }) => file),
  );
}

export class FilesFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return withFilesFirst(await super.sort(files), (file) => file.project.name, (file) => file.moduleId);
  }
}
