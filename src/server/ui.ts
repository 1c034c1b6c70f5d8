import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { VigilError } from '../errors.ts';
import type { RoutePlugin } from './route-module.ts';

/**
 * The web UI (`src/ui/`): static ES modules (Preact + htm, no bundler) served by `vigil serve` at
 * `/` (index.html) and `/ui/*`. The three libraries are served from node_modules' ESM builds under
 * content-hashed names, found at start-up through the module resolver, and mapped by an import
 * map inline in index.html, allowed by its hash in the Content-Security-Policy. Everything is read
 * into memory once (a few dozen KiB); the UI then talks to the public `/api/v1` only.
 */

/** A file the UI route answers, ready to send. */
interface ServedFile {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Revalidate our own modules each time (ETag); the content-hashed libraries never change. */
const revalidate = 'no-cache';
const immutable = 'public, max-age=31536000, immutable';

/** The libraries the import map names, by their import specifier. */
const libraries = ['preact', 'preact/hooks', 'htm'] as const;

const sha256 = (data: Buffer | string, encoding: 'hex' | 'base64') =>
  createHash('sha256').update(data).digest(encoding);

function served(body: Buffer, type: string, cacheControl: string): ServedFile {
  return { body, type, etag: `"${sha256(body, 'hex').slice(0, 32)}"`, cacheControl };
}

/** The folder of the UI's files: `src/ui` beside `src/server` (or `dist/ui` beside `dist/server`). */
export function uiDirectory(): string {
  return fileURLToPath(new URL('../ui/', import.meta.url));
}

/** The libraries' ESM files (no source map comment, which would point at a file not served). */
function libraryFiles(): Map<string, { url: string; file: ServedFile }> {
  const files = new Map<string, { url: string; file: ServedFile }>();
  for (const specifier of libraries) {
    const path = fileURLToPath(import.meta.resolve(specifier));
    const text = readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    const body = Buffer.from(text, 'utf8');
    const url = `/ui/vendor/${specifier.replace('/', '-')}-${sha256(body, 'hex').slice(0, 12)}.mjs`;
    files.set(specifier, { url, file: served(body, contentTypes['.mjs']!, immutable) });
  }
  return files;
}

/** The UI's own files by URL (`/ui/<path>`), index.html left out. */
function ownFiles(directory: string): Map<string, ServedFile> {
  const files = new Map<string, ServedFile>();
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    const type = contentTypes[extname(entry.name)];
    if (!entry.isFile() || type === undefined || entry.name === 'index.html') continue;
    const path = join(entry.parentPath, entry.name);
    const url = `/ui/${relative(directory, path).split(sep).join('/')}`;
    files.set(url, served(readFileSync(path), type, revalidate));
  }
  return files;
}

/** The policy every UI answer carries: our own scripts and the import map by hash, nothing inline else. */
export function contentSecurityPolicy(importMapHash: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'sha256-${importMapHash}'`,
    "style-src 'self'",
    "img-src 'self' blob:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The files the UI routes answer, and the policy they carry. */
export interface UiBundle {
  files: Map<string, ServedFile>;
  csp: string;
}

/** Reads the UI (and the libraries) once: index.html with its import map, every module, the styles. */
export function loadUi(directory: string = uiDirectory()): UiBundle {
  const libs = libraryFiles();
  const importMap = JSON.stringify({
    imports: Object.fromEntries([...libs].map(([specifier, { url }]) => [specifier, url])),
  });
  const template = readFileSync(join(directory, 'index.html'), 'utf8');
  if (!template.includes('<!--import-map-->')) throw new Error('src/ui/index.html has no <!--import-map-->');
  const html = template.replace('<!--import-map-->', `<script type="importmap">${importMap}</script>`);
  const files = ownFiles(directory);
  for (const { url, file } of libs.values()) files.set(url, file);
  files.set('/', served(Buffer.from(html, 'utf8'), contentTypes['.html']!, revalidate));
  return { files, csp: contentSecurityPolicy(sha256(importMap, 'base64')) };
}

function send(bundle: UiBundle, url: string, request: FastifyRequest, reply: FastifyReply) {
  const file = bundle.files.get(url);
  if (file === undefined) {
    throw new VigilError('NOT_FOUND', `The web UI has no file ${url}.`, { hint: 'Open / for the UI.' });
  }
  reply
    .header('content-security-policy', bundle.csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cache-control', file.cacheControl)
    .header('etag', file.etag)
    .type(file.type);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.send(file.body);
}

/** `/` and `/ui/*` (public, left out of /openapi.json): the web UI's files. */
export function uiRoutes(bundle: UiBundle = loadUi()): RoutePlugin {
  return async (app) => {
    const options = { config: { access: 'public' as const }, schema: { hide: true } };
    app.get('/', options, (request, reply) => send(bundle, '/', request, reply));
    app.get('/ui/*', options, (request, reply) => send(bundle, request.url.split('?')[0]!, request, reply));
  };
}
