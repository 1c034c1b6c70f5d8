// `node --import ./load-trace.mjs <program>` appends to the file named by VIGIL_LOAD_TRACE the URL
// of every module the program imports (an ESM resolve hook, which also sees CommonJS packages
// imported from ESM) and, at exit, the path of every CommonJS module it required (the require
// cache, which sees packages that `lazyRequire` loaded). test/startup.test.ts reads it to check
// that a command loads no heavy package it does not need.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const tracePath = process.env.VIGIL_LOAD_TRACE;

/** The resolve hook (it runs on the loader's thread). */
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (tracePath) appendFileSync(tracePath, `${resolved.url}\n`);
  return resolved;
}

if (isMainThread && tracePath) {
  register(import.meta.url);
  const { cache } = createRequire(import.meta.url);
  process.on('exit', () => appendFileSync(tracePath, `${Object.keys(cache).join('\n')}\n`));
}
