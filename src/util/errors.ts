// Errors carry a literal `code` callers can branch on and, where it matters to the CLI, the exit
// code the spec gives that failure (2: bad input or a lab that could not be built).

export class NvlabError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad input from the user: a file, a flag, a name that does not exist. Exit code 2. */
export class UsageError extends NvlabError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('USAGE', message, { ...options, exitCode: 2 });
  }
}
