// Shared by the OVSDB library's tests.
import fc from 'fast-check';
import { expect } from 'vitest';

/** For every input `inputs` generates, `decode` either returns or throws an `errorClass`, never
 *  anything else (a decoder's contract on untrusted JSON). */
export function expectOnlyThrows<T>(
  inputs: fc.Arbitrary<T>,
  decode: (input: T) => unknown,
  errorClass: abstract new (...args: never[]) => Error,
  numRuns: number,
): void {
  fc.assert(
    fc.property(inputs, (input) => {
      try {
        decode(input);
      } catch (err) {
        expect(err).toBeInstanceOf(errorClass);
      }
    }),
    { numRuns },
  );
}
