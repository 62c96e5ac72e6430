// Shared by the bench scripts: waiting, and the statistics they print.

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The value at fraction `p` of the sorted values (nearest rank, rounded down; p = 0.95: p95). */
export const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;

/** The middle value; of an even count, the upper of the two. */
export const median = (values: number[]) => percentile(values, 0.5);
