// Errors of the Docker runtime: the engine's failures worded for people, with the thing named.
import { NvlabError } from '../../util/errors.ts';

export class RuntimeError extends NvlabError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('RUNTIME', message, { ...options, exitCode: 2 });
  }
}

export function statusCode(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error ? (error as { statusCode?: number }).statusCode : undefined;
}

export function reason(error: unknown): string {
  const json = (error as { json?: { message?: string } } | undefined)?.json;
  return json?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Awaits `promise`; a failure becomes a RuntimeError saying what was being done. */
export async function wrap<T>(promise: Promise<T>, what: string): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw new RuntimeError(`${what}: ${reason(error)}`, { cause: error });
  }
}

/** As wrap, but a missing object (404) is not a failure: it is already gone. */
export async function ignoreMissing(promise: Promise<unknown>, what: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (statusCode(error) === 404) return;
    throw new RuntimeError(`${what}: ${reason(error)}`, { cause: error });
  }
}
