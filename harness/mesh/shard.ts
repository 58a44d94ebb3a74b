// Splitting a mesh run across machines: `--shard I/N` (I from 0, as a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX) takes every N-th target of the list sorted by name, starting at the I-th.
// The split depends only on the names, so every shard of one file agrees on it, and the shards
// together hold every target exactly once.
export class ShardError extends Error {}

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new ShardError(`invalid shard "${text}": expected I/N, e.g. 0/4 (I counts from 0)`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > 10_000) throw new ShardError(`invalid shard "${text}": N must be 1-10000`);
  if (index >= count) throw new ShardError(`invalid shard "${text}": I must be 0 to ${count - 1} (it counts from 0)`);
  return { index, count };
}

/** The items of this shard: sorted by name (code-unit order, locale-independent), every count-th from index. */
export function shardOf<T extends { name: string }>(items: readonly T[], shard: Shard): T[] {
  const sorted = [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted.filter((_, position) => position % shard.count === shard.index);
}
