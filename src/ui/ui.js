// @ts-check
/** Shared pieces of the pages: loading and error states, tables, badges, times. */
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { html } from './html.js';

/** @typedef {{ name: string, role: 'viewer' | 'operator' | 'admin' }} Me */

/** The signed-in token's name and role. */
export const MeContext = createContext(/** @type {Me | null} */ (null));

/** @returns {Me | null} */
export function useMe() {
  return useContext(MeContext);
}

/**
 * Loads data with `load` (again when `deps` change, or on `reload()`).
 * @template T
 * @param {() => Promise<T>} load
 * @param {unknown[]} deps
 * @returns {{ data: T | undefined, error: unknown, loading: boolean, reload: () => void }}
 */
export function useLoad(load, deps) {
  const [state, setState] = useState(
    /** @type {{ data: T | undefined, error: unknown, loading: boolean }} */ ({
      data: undefined,
      error: undefined,
      loading: true,
    }),
  );
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** @param {{ error: unknown }} props */
export function ErrorBox({ error }) {
  if (error === undefined || error === null) return null;
  const e = /** @type {{ code?: string, message?: string, hint?: string }} */ (error);
  return html`<div class="error" role="alert">
    ${e.code ? html`<strong>${e.code}</strong>: ` : ''}${e.message ?? String(error)}
    ${e.hint ? html`<span class="hint">${e.hint}</span>` : ''}
  </div>`;
}

/**
 * Loading, error, or the children.
 * @param {{ state: { loading: boolean, error: unknown, data: unknown }, children: any }} props
 */
export function Loaded({ state, children }) {
  if (state.error !== undefined) return html`<${ErrorBox} error=${state.error} />`;
  if (state.data === undefined) return html`<p class="loading" role="status">Loading…</p>`;
  return children;
}

/** @param {{ value: string | null | undefined }} props */
export function Badge({ value }) {
  const text = value ?? 'pending';
  return html`<span class=${`badge ${text.toLowerCase()}`}>${text}</span>`;
}

/**
 * A readable local time for an ISO string (or epoch ms); empty for nothing.
 * @param {string | number | null | undefined} value
 */
export function when(value) {
  if (value === null || value === undefined || value === '') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/**
 * A cell's text for any JSON value.
 * @param {unknown} value
 */
export function cellText(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * A table with a caption (for screen readers) and a horizontal scroll on small screens.
 * @param {{ caption: string, head: string[], children: any, empty?: string, count?: number }} props
 */
export function Table({ caption, head, children, empty, count }) {
  if (count === 0) return html`<p class="muted">${empty ?? 'Nothing yet.'}</p>`;
  return html`<div class="table-wrap">
    <table>
      <caption class="skip">${caption}</caption>
      <thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
      <tbody>${children}</tbody>
    </table>
  </div>`;
}

/**
 * The page's heading; also names the document.
 * @param {{ children: string }} props
 */
export function Title({ children }) {
  useEffect(() => {
    document.title = `${children} · Vigil`;
  }, [children]);
  return html`<h1 tabindex="-1" id="page-title">${children}</h1>`;
}

/**
 * Runs `work` from a button: busy while it runs, its error kept for display.
 * @template T
 * @param {() => Promise<T>} work
 * @returns {{ run: () => Promise<void>, busy: boolean, error: unknown, result: T | undefined }}
 */
export function useAction(work) {
  const [state, setState] = useState(
    /** @type {{ busy: boolean, error: unknown, result: T | undefined }} */ ({
      busy: false,
      error: undefined,
      result: undefined,
    }),
  );
  const run = async () => {
    setState({ busy: true, error: undefined, result: undefined });
    try {
      const result = await work();
      setState({ busy: false, error: undefined, result });
    } catch (error) {
      setState({ busy: false, error, result: undefined });
    }
  };
  return { ...state, run };
}
