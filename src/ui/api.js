// @ts-check
/**
 * The UI's one way to the server: the public `/api/v1` with the bearer token kept in
 * sessionStorage (gone when the tab closes). A 401 forgets the token and returns to the login page.
 */

const tokenKey = 'vigil.token';

/** @returns {string | null} */
export function storedToken() {
  return sessionStorage.getItem(tokenKey);
}

/** @param {string} token */
export function storeToken(token) {
  sessionStorage.setItem(tokenKey, token);
}

export function forgetToken() {
  sessionStorage.removeItem(tokenKey);
}

/** A coded API error: `{"error":{"code","message","hint"}}` and its status. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {string | undefined} hint
   */
  constructor(status, code, message, hint) {
    super(message);
    this.status = status;
    this.code = code;
    this.hint = hint;
  }
}

/**
 * @param {string} path under /api/v1
 * @param {{ method?: string, body?: unknown }} [options]
 * @returns {Promise<Response>}
 */
async function request(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${storedToken() ?? ''}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`/api/v1${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (response.ok) return response;
  /** @type {{ error?: { code?: string, message?: string, hint?: string } }} */
  const body = await response.json().catch(() => ({}));
  const error = new ApiError(
    response.status,
    body.error?.code ?? `HTTP_${response.status}`,
    body.error?.message ?? `The server answered ${response.status}.`,
    body.error?.hint,
  );
  if (response.status === 401) {
    forgetToken();
    window.dispatchEvent(new CustomEvent('vigil:signed-out', { detail: error.message }));
  }
  throw error;
}

/**
 * JSON from the API (null for 204).
 * @param {string} path
 * @param {{ method?: string, body?: unknown }} [options]
 * @returns {Promise<any>}
 */
export async function api(path, options) {
  const response = await request(path, options);
  return response.status === 204 ? null : response.json();
}

/**
 * A file from the API (an SVG, an export), with the name its Content-Disposition gives.
 * @param {string} path
 * @returns {Promise<{ blob: Blob, filename: string | undefined }>}
 */
export async function apiFile(path) {
  const response = await request(path);
  const disposition = response.headers.get('content-disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1];
  return { blob: await response.blob(), filename };
}

/**
 * Saves a blob as a download.
 * @param {Blob} blob
 * @param {string} filename
 */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** @type {Record<string, number>} */
const rank = { viewer: 0, operator: 1, admin: 2 };

/**
 * Whether a token of `role` may do what `minimum` may (the API refuses anyway).
 * @param {string | undefined} role
 * @param {'viewer' | 'operator' | 'admin'} minimum
 */
export function can(role, minimum) {
  return (rank[role ?? ''] ?? -1) >= (rank[minimum] ?? 99);
}
