#!/usr/bin/env node
// `npm run build` (also run by `npm install` / `npm ci` through `prepare`): compiles src/ to
// dist/ with tsconfig.build.json, copies the run-time data files (every non-TypeScript,
// non-Markdown file under src/, e.g. src/attack/data/*.json), bundles the program into
// dist/bundle/ (bin/bundle.js: a faster start), then writes dist/.build-stamp —
// last, so an interrupted build is never used. Without TypeScript (an install that omits dev
// dependencies) it builds nothing and vigil runs from its sources through tsx.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { bundleProgram } from './bundle.js';
import { distDir, newestSourceMtime, packageRoot, stampPath } from './source-stamp.js';

const sourceDir = join(packageRoot, 'src');

function findTsc() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

function copyDataFiles() {
  for (const entry of readdirSync(sourceDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || /\.(ts|md)$/.test(entry.name)) continue;
    const from = join(entry.parentPath ?? entry.path, entry.name);
    const to = join(distDir, relative(sourceDir, from));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to);
  }
}

const tsc = findTsc();
if (tsc === undefined) {
  process.stderr.write('vigil build: TypeScript is not installed; vigil will run from its sources (tsx).\n');
  process.exit(0);
}
const sourceMtimeMs = newestSourceMtime();
rmSync(distDir, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(packageRoot, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (compiled.status !== 0) {
  rmSync(distDir, { recursive: true, force: true });
  process.stderr.write('vigil build: tsc failed (above); dist/ removed, vigil runs from its sources.\n');
  process.exit(compiled.status ?? 1);
}
copyDataFiles();
await bundleProgram();
writeFileSync(stampPath, `${JSON.stringify({ sourceMtimeMs })}\n`);
