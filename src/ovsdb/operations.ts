// Typed transact operations (RFC 7047 section 5.2), their wire encoding, and the decoding of
// transact results, with OvsdbTransactionError for the first failed operation.
import { Uuid, decodeValue, encodeValue, type Value } from './data.ts';
import { OvsdbDataError, OvsdbProtocolError, OvsdbTransactionError } from './errors.ts';
import { decodeColumn, type DatabaseSchema } from './schema.ts';

export type Row = Record<string, Value>;

export type ConditionFunction = '<' | '<=' | '==' | '!=' | '>=' | '>' | 'includes' | 'excludes';
export type Condition = [column: string, fn: ConditionFunction, value: Value];
export type Mutator = '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete';
export type Mutation = [column: string, mutator: Mutator, value: Value];

export type Operation =
  | { op: 'insert'; table: string; row: Row; uuidName?: string }
  | { op: 'select'; table: string; where: Condition[]; columns?: string[] }
  | { op: 'update'; table: string; where: Condition[]; row: Row }
  | { op: 'mutate'; table: string; where: Condition[]; mutations: Mutation[] }
  | { op: 'delete'; table: string; where: Condition[] }
  | {
      op: 'wait';
      table: string;
      where: Condition[];
      columns: string[];
      until: '==' | '!=';
      rows: Row[];
      timeout?: number;
    }
  | { op: 'commit'; durable: boolean }
  | { op: 'abort' }
  | { op: 'comment'; comment: string }
  | { op: 'assert'; lock: string };

/** Builders, so call sites read like the RFC: `op.insert('Bridge', { name: 'br0' }, 'br')`. */
export const op = {
  insert: (table: string, row: Row, uuidName?: string): Operation =>
    uuidName === undefined ? { op: 'insert', table, row } : { op: 'insert', table, row, uuidName },
  select: (table: string, where: Condition[] = [], columns?: string[]): Operation =>
    columns === undefined ? { op: 'select', table, where } : { op: 'select', table, where, columns },
  update: (table: string, where: Condition[], row: Row): Operation => ({ op: 'update', table, where, row }),
  mutate: (table: string, where: Condition[], mutations: Mutation[]): Operation => ({ op: 'mutate', table, where, mutations }),
  delete: (table: string, where: Condition[]): Operation => ({ op: 'delete', table, where }),
  wait: (table: string, where: Condition[], columns: string[], until: '==' | '!=', rows: Row[], timeout?: number): Operation =>
    timeout === undefined
      ? { op: 'wait', table, where, columns, until, rows }
      : { op: 'wait', table, where, columns, until, rows, timeout },
  commit: (durable = false): Operation => ({ op: 'commit', durable }),
  abort: (): Operation => ({ op: 'abort' }),
  comment: (comment: string): Operation => ({ op: 'comment', comment }),
  assert: (lock: string): Operation => ({ op: 'assert', lock }),
} as const;

/** Shorthand for a where clause on `_uuid`. */
export function whereUuid(u: Uuid | string): Condition[] {
  return [['_uuid', '==', typeof u === 'string' ? new Uuid(u) : u]];
}

function encodeRow(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = encodeValue(v);
  return out;
}

const encodeWhere = (where: Condition[]) => where.map(([c, f, v]) => [c, f, encodeValue(v)]);

export function encodeOperation(o: Operation): Record<string, unknown> {
  switch (o.op) {
    case 'insert':
      return { op: 'insert', table: o.table, row: encodeRow(o.row), ...(o.uuidName ? { 'uuid-name': o.uuidName } : {}) };
    case 'select':
      return { op: 'select', table: o.table, where: encodeWhere(o.where), ...(o.columns ? { columns: o.columns } : {}) };
    case 'update':
      return { op: 'update', table: o.table, where: encodeWhere(o.where), row: encodeRow(o.row) };
    case 'mutate':
      return {
        op: 'mutate',
        table: o.table,
        where: encodeWhere(o.where),
        mutations: o.mutations.map(([c, m, v]) => [c, m, encodeValue(v)]),
      };
    case 'delete':
      return { op: 'delete', table: o.table, where: encodeWhere(o.where) };
    case 'wait':
      return {
        op: 'wait',
        table: o.table,
        where: encodeWhere(o.where),
        columns: o.columns,
        until: o.until,
        rows: o.rows.map(encodeRow),
        ...(o.timeout === undefined ? {} : { timeout: o.timeout }),
      };
    case 'commit':
      return { op: 'commit', durable: o.durable };
    case 'abort':
      return { op: 'abort' };
    case 'comment':
      return { op: 'comment', comment: o.comment };
    case 'assert':
      return { op: 'assert', lock: o.lock };
  }
}

const CONDITION_FUNCTIONS: readonly string[] = ['<', '<=', '==', '!=', '>=', '>', 'includes', 'excludes'];
const MUTATORS: readonly string[] = ['+=', '-=', '*=', '/=', '%=', 'insert', 'delete'];

function str(o: Record<string, unknown>, k: string): string {
  if (typeof o[k] !== 'string') throw new OvsdbDataError(`operation "${String(o.op)}": "${k}" is not a string`);
  return o[k] as string;
}

function list(o: Record<string, unknown>, k: string): unknown[] {
  if (!Array.isArray(o[k])) throw new OvsdbDataError(`operation "${String(o.op)}": "${k}" is not an array`);
  return o[k] as unknown[];
}

function strList(o: Record<string, unknown>, k: string): string[] {
  const l = list(o, k);
  if (!l.every((x) => typeof x === 'string')) throw new OvsdbDataError(`operation "${String(o.op)}": "${k}" must list strings`);
  return l as string[];
}

function wireRow(v: unknown): Row {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new OvsdbDataError('row is not an object');
  const row: Row = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) row[k] = decodeValue(x);
  return row;
}

function triple<T extends string>(v: unknown, allowed: readonly string[], what: string): [string, T, Value] {
  if (!Array.isArray(v) || v.length !== 3 || typeof v[0] !== 'string' || !allowed.includes(v[1] as string)) {
    throw new OvsdbDataError(`bad ${what}: ${JSON.stringify(v)?.slice(0, 80)}`);
  }
  return [v[0], v[1] as T, decodeValue(v[2])];
}

/**
 * Parses one wire operation back into its typed form (the inverse of encodeOperation), for
 * tools and test peers that read transactions. Throws OvsdbDataError on malformed input.
 */
export function decodeOperation(json: unknown): Operation {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new OvsdbDataError('operation is not an object');
  const o = json as Record<string, unknown>;
  const where = () => list(o, 'where').map((c) => triple<ConditionFunction>(c, CONDITION_FUNCTIONS, 'condition'));
  switch (o.op) {
    case 'insert': {
      const uuidName = o['uuid-name'];
      if (uuidName !== undefined && typeof uuidName !== 'string') throw new OvsdbDataError('insert: "uuid-name" is not a string');
      return op.insert(str(o, 'table'), wireRow(o.row ?? {}), uuidName);
    }
    case 'select':
      return op.select(str(o, 'table'), where(), o.columns === undefined ? undefined : strList(o, 'columns'));
    case 'update':
      return op.update(str(o, 'table'), where(), wireRow(o.row));
    case 'mutate':
      return op.mutate(
        str(o, 'table'),
        where(),
        list(o, 'mutations').map((m) => triple<Mutator>(m, MUTATORS, 'mutation')),
      );
    case 'delete':
      return op.delete(str(o, 'table'), where());
    case 'wait': {
      if (o.until !== '==' && o.until !== '!=') throw new OvsdbDataError('wait: "until" must be "==" or "!="');
      if (o.timeout !== undefined && typeof o.timeout !== 'number') throw new OvsdbDataError('wait: "timeout" is not a number');
      return op.wait(
        str(o, 'table'),
        where(),
        strList(o, 'columns'),
        o.until,
        list(o, 'rows').map(wireRow),
        o.timeout as number | undefined,
      );
    }
    case 'commit':
      if (typeof o.durable !== 'boolean') throw new OvsdbDataError('commit: "durable" is not a boolean');
      return op.commit(o.durable);
    case 'abort':
      return op.abort();
    case 'comment':
      return op.comment(str(o, 'comment'));
    case 'assert':
      return op.assert(str(o, 'lock'));
    default:
      throw new OvsdbDataError(`unknown operation ${JSON.stringify(o.op)}`);
  }
}

/** The params of a transact request. */
export function encodeTransact(db: string, ops: Operation[]): unknown[] {
  return [db, ...ops.map(encodeOperation)];
}

export interface OperationResult {
  /** insert: the new row's UUID. */
  uuid?: Uuid;
  /** select: the rows, columns decoded with the schema when one is known. */
  rows?: Row[];
  /** update, mutate, delete: number of rows matched. */
  count?: number;
}

/** Decodes a row from the wire; with a schema, column values take their column's kind. */
export function decodeRow(json: unknown, table: string | undefined, schema: DatabaseSchema | undefined): Row {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new OvsdbProtocolError('row is not an object');
  const columns = table && schema ? schema.tables[table]?.columns : undefined;
  const row: Row = {};
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    row[k] = columns ? decodeColumn(columns[k], v) : decodeValue(v);
  }
  return row;
}

/**
 * Turns a transact reply into one result per operation, or throws OvsdbTransactionError for the
 * first error (an extra trailing error element means the commit itself failed).
 */
export function decodeTransactResult(ops: Operation[], reply: unknown, schema?: DatabaseSchema): OperationResult[] {
  if (!Array.isArray(reply)) throw new OvsdbProtocolError('transact result is not an array');
  for (let i = 0; i < reply.length; i++) {
    const r = reply[i] as { error?: unknown; details?: unknown } | null;
    if (r && typeof r === 'object' && typeof r.error === 'string') {
      throw new OvsdbTransactionError(r.error, typeof r.details === 'string' ? r.details : undefined, i, reply);
    }
  }
  if (reply.length < ops.length) throw new OvsdbProtocolError(`transact returned ${reply.length} results for ${ops.length} operations`);
  return ops.map((o, i) => {
    const r = reply[i] as Record<string, unknown> | null;
    const out: OperationResult = {};
    if (!r || typeof r !== 'object') return out;
    if (Array.isArray(r.uuid)) {
      const u = decodeValue(r.uuid);
      if (u instanceof Uuid) out.uuid = u;
    }
    if (Array.isArray(r.rows)) out.rows = r.rows.map((row) => decodeRow(row, 'table' in o ? o.table : undefined, schema));
    if (typeof r.count === 'number') out.count = r.count;
    return out;
  });
}
