// Maps a key path (as zod and our validators report it) back to a place in the YAML source.
// Shared by the topology loader and the scenario module, whose steps live in the same file.

import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface PositionOptions {
  /** When the path ends at a mapping key, point at the key rather than at its value. */
  atKey?: boolean;
}

export type PathSegment = string | number;

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return undefined;
  return String(key);
}

function offsetOf(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    if (range) return range[0];
  }
  return undefined;
}

/**
 * The offset in the source that `path` names. Walks as far as the document allows: a missing key
 * points at the mapping that lacks it, a path that runs past a scalar points at that scalar.
 */
export function offsetOfPath(doc: Document, path: readonly PathSegment[], options: PositionOptions = {}): number {
  let node: unknown = doc.contents;
  let best = offsetOf(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc) ?? node;
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (!pair) return best;
      const keyOffset = offsetOf(pair.key);
      if (last && options.atKey && keyOffset !== undefined) return keyOffset;
      // `key:` with no value has no node, or an empty one just after the colon: point at the key.
      const range = (pair.value as Node | null)?.range;
      const valueOffset = range && range[0] === range[1] ? undefined : offsetOf(pair.value);
      node = pair.value;
      best = valueOffset ?? keyOffset ?? best;
      if (valueOffset === undefined) return best;
    } else if (isSeq(node)) {
      const item = typeof segment === 'number' ? node.items[segment] : undefined;
      const itemOffset = offsetOf(item);
      if (itemOffset === undefined) return best;
      node = item;
      best = itemOffset;
    } else {
      return best;
    }
  }
  return best;
}

/** 1-based line and column of `path` in `doc`, parsed with `lineCounter`. */
export function positionOfPath(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PathSegment[],
  options: PositionOptions = {},
): Position {
  return positionOfOffset(lineCounter, offsetOfPath(doc, path, options));
}

export function positionOfOffset(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
