#!/usr/bin/env node
// The `vigil` program. It runs the compiled JavaScript in dist/ (built by `npm install` /
// `npm ci` through `prepare`, or by `npm run build`) when that build is fresh: no file or
// directory under src/ (nor tsconfig.json / tsconfig.build.json) is newer than the build
// recorded in dist/.build-stamp (see bin/source-stamp.js; the check costs a few milliseconds).
// Otherwise — no build, an interrupted one, a source edited since, or VIGIL_FROM_SOURCE=1 — it
// runs the TypeScript sources through tsx's loader, so edited code never runs stale. A fresh
// build runs its bundle (dist/bundle/main.js, bin/bundle.js) when the build could make one.
// A sync runs with a leaner V8 heap (bin/lean-heap.js), set before any module is loaded.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { bundleMain } from './bundle.js';
import { leanHeapForSync } from './lean-heap.js';
import { distIsFresh } from './source-stamp.js';

await leanHeapForSync(process.argv.slice(2));

if (process.env.VIGIL_FROM_SOURCE !== '1' && distIsFresh()) {
  await import(existsSync(bundleMain) ? pathToFileURL(bundleMain).href : '../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
