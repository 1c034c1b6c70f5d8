// The start-up bundle (issue 11), made by bin/build.js from the compiled program in dist/: the
// modules of dist/ and zod (≈100 small modules) joined by esbuild into dist/bundle/main.js and
// one chunk per lazily imported part (`await import(…)` stays lazy: code splitting), so a start
// reads a few files instead of hundreds. Every other package stays external (loaded from
// node_modules as before: native drivers, worker-thread transports, served assets). A module that
// locates files from `import.meta.url` (the ATT&CK catalogue, the UI) keeps its dist/ location.
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { distDir } from './source-stamp.js';

export const bundleDir = join(distDir, 'bundle');
export const bundleMain = join(bundleDir, 'main.js');

/** Packages bundled in; every other bare import stays external. */
const bundledPackages = /^(zod|commander|@commander-js\/extra-typings|better-sqlite3)(\/|$)/;

/** Keeps each dist/ module's `import.meta.url` pointing at its own file in dist/, not at the chunk. */
const ownLocation = {
  name: 'own-location',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!args.path.startsWith(distDir) || !source.includes('import.meta.url')) return undefined;
      const fromBundle = relative(bundleDir, args.path).split('\\').join('/');
      return {
        contents: source.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`,
        ),
        loader: 'js',
      };
    });
  },
};

/**
 * zod's namespace re-exports its ≈60 locales (`z.locales`), which the bundle cannot shake out and
 * which were most of its bytes; Vigil speaks English only, so `z.locales` holds just `en` here
 * (zod registers `en` as the default locale itself).
 */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${join('node_modules', 'zod')}`)
        ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-english-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * commander requires node:child_process when it loads, for executable subcommands, which vigil
 * does not have; that module (with net and dgram) was a measurable part of every start. In the
 * bundle, commander gets it on first use instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(join('node_modules', 'commander'))
        ? { path: 'lazy-child-process', namespace: 'lazy-child-process' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
      loader: 'js',
    }));
  },
};

const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      bundledPackages.test(args.path) ? undefined : { path: args.path, external: true },
    );
  },
};

/** Bundles dist/cli/main.js into dist/bundle/; false (and a note on stderr) if esbuild is missing or fails. */
export async function bundleProgram() {
  let esbuild;
  try {
    esbuild = await import(createRequire(import.meta.url).resolve('esbuild'));
  } catch {
    process.stderr.write('vigil build: esbuild is not installed; vigil runs from dist/ unbundled.\n');
    return false;
  }
  rmSync(bundleDir, { recursive: true, force: true });
  try {
    await esbuild.build({
      entryPoints: [join(distDir, 'cli', 'main.js')],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outdir: bundleDir,
      entryNames: '[name]',
      chunkNames: '[name]-[hash]',
      // The bundled CommonJS packages (commander) `require` Node's built-ins: give every chunk a
      // \`require\` (no bundled module declares one at its top level).
      banner: {
        js: "import { createRequire as __vigilCreateRequire } from 'node:module';\nconst require = __vigilCreateRequire(import.meta.url);",
      },
      plugins: [ownLocation, englishOnlyZod, lazyChildProcess, externalPackages],
      logLevel: 'warning',
    });
    return true;
  } catch (error) {
    rmSync(bundleDir, { recursive: true, force: true });
    process.stderr.write(`vigil build: bundling failed (${error}); vigil runs from dist/ unbundled.\n`);
    return false;
  }
}
