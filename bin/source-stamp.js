// The freshness rule shared by the build (bin/build.js) and the launcher (bin/vigil.js).
// The compiled program in dist/ may run only if nothing it was built from changed since:
// the build records the newest modification time among src/ (every file and directory, so an
// added, edited, renamed or deleted file counts) and the two tsconfig files, taken BEFORE tsc
// runs; the launcher recomputes it at each start and uses dist/ only when it is not newer.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = fileURLToPath(new URL('..', import.meta.url));
export const distDir = join(packageRoot, 'dist');
export const stampPath = join(distDir, '.build-stamp');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json'];

/** Newest mtime (ms) of the build inputs; 0 when none exist (e.g. an install without sources). */
export function newestSourceMtime() {
  let newest = 0;
  const visit = (path) => {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats === undefined) return;
    newest = Math.max(newest, stats.mtimeMs);
    if (!stats.isDirectory()) return;
    // Tests are not built (tsconfig.build.json), so editing one leaves dist/ fresh.
    for (const entry of readdirSync(path)) if (!entry.endsWith('.test.ts')) visit(join(path, entry));
  };
  for (const input of inputs) visit(join(packageRoot, input));
  return newest;
}

/** Whether dist/ holds a complete build at least as new as every build input. */
export function distIsFresh() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    return false;
  }
  return typeof stamp?.sourceMtimeMs === 'number' && newestSourceMtime() <= stamp.sourceMtimeMs;
}
