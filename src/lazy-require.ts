import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on first use rather than when the importing module loads, so that a
 * command that never calls into it (`vigil --help`) does not pay for loading it. The returned
 * function is synchronous (it `require`s), returns the same module every time, and shares Node's
 * module cache with `import` of the same package (one instance of its classes either way). Type it
 * with `typeof import('package')` through an `import type`, which costs nothing at run time.
 * `test/startup.test.ts` checks that `vigil --help` loads none of the heavy packages.
 */
export function lazyRequire<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= requireFromHere(specifier) as T;
    return loaded;
  };
}

/** node:crypto, loaded on first use: a command that only reads the graph never needs it (start-up). */
export const nodeCrypto = lazyRequire<typeof import('node:crypto')>('node:crypto');
