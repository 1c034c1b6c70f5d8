import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from './harness.ts';

/** The web UI's files as `buildServer` serves them (inject()): policy, import map, caching, 404s. */
describe('the web UI routes', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await openHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => harness.app.inject({ url, headers });

  it('serves index.html with an import map allowed by its hash in a strict CSP, and no other inline script', async () => {
    const answer = await get('/');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    const importMap = /<script type="importmap">([^<]*)<\/script>/.exec(answer.body)?.[1];
    expect(importMap).toBeDefined();
    const hash = createHash('sha256').update(importMap!).digest('base64');
    expect(answer.headers['content-security-policy']).toBe(
      `default-src 'none'; script-src 'self' 'sha256-${hash}'; style-src 'self'; img-src 'self' blob:; ` +
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(answer.body.match(/<script/g)).toHaveLength(2); // the import map and the module entry
    const { imports } = JSON.parse(importMap!) as { imports: Record<string, string> };
    expect(Object.keys(imports).sort()).toEqual(['htm', 'preact', 'preact/hooks']);
    for (const url of Object.values(imports)) {
      const library = await get(url);
      expect([url, library.statusCode, library.headers['cache-control']]).toEqual([
        url,
        200,
        'public, max-age=31536000, immutable',
      ]);
      expect(library.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(library.body).not.toContain('sourceMappingURL');
    }
  });

  it('revalidates its own modules by ETag (304) and answers a coded 404 for anything else', async () => {
    const module = await get('/ui/main.js');
    expect([module.statusCode, module.headers['cache-control']]).toEqual([200, 'no-cache']);
    const etag = String(module.headers.etag);
    expect((await get('/ui/main.js', { 'if-none-match': etag })).statusCode).toBe(304);
    for (const url of [
      '/ui/nope.js',
      '/ui/../package.json',
      '/ui/%2e%2e/server/ui.ts',
      '/ui/tsconfig.json',
    ]) {
      const missing = await get(url);
      expect([url, missing.statusCode, missing.json().error.code]).toEqual([url, 404, 'NOT_FOUND']);
    }
  });

  it('needs no token (the UI signs in with one) and stays out of /openapi.json', async () => {
    expect((await get('/ui/app.css')).statusCode).toBe(200);
    const viewer = await harness.tokenFor('viewer');
    const document = (await get('/openapi.json', { authorization: `Bearer ${viewer}` })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths).filter((path) => path === '/' || path.startsWith('/ui'))).toEqual([]);
  });
});
