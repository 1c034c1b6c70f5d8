// @ts-check
/** The graph explorer: a J1QL box with its results, and an entity with its relationships. */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { html } from '../html.js';
import { cellText, Loaded, Table, Title, useLoad, when } from '../ui.js';

/** @param {string} key */
export const entityHref = (key) => `#/entity/${encodeURIComponent(key)}`;

const example = 'FIND threatstack_agent WITH status = "online"';

/** @param {{ query: string }} props */
export function GraphPage({ query }) {
  const [text, setText] = useState(query || example);
  const results = useLoad(
    () =>
      query === '' ? Promise.resolve(null) : api('/query', { method: 'POST', body: { query, limit: 500 } }),
    [query],
  );
  /** @param {Event} event */
  const submit = (event) => {
    event.preventDefault();
    location.hash = `#/graph?q=${encodeURIComponent(text)}`;
  };
  return html`<${Title}>Graph explorer<//>
    <form class="stack" onSubmit=${submit}>
      <label>J1QL query
        <textarea name="query" value=${text} onInput=${(/** @type {any} */ e) => setText(e.currentTarget.value)}></textarea>
        <span class="help">e.g. <code>FIND threatstack_agent THAT HAS threatstack_alert RETURN threatstack_agent.displayName, count(threatstack_alert)</code></span>
      </label>
      <div class="actions"><button type="submit">Run query</button></div>
    </form>
    ${query !== '' && html`<${Loaded} state=${results}>${results.data && html`<${Results} result=${results.data} />`}<//>`}`;
}

/** @param {{ result: { type: 'list' | 'table', data: Array<Record<string, unknown>> } }} props */
function Results({ result }) {
  const rows = result.data;
  const columns =
    result.type === 'list'
      ? ['displayName', '_type', '_class', '_key']
      : [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return html`<h2>Results <span class="muted">(${rows.length} ${result.type === 'list' ? 'entities' : 'rows'})</span></h2>
    <${Table} caption="Query results" head=${columns} count=${rows.length} empty="The query matched nothing.">
      ${rows.map(
        (row) => html`<tr class="result-row">
          ${columns.map((column) => {
            const value = row[column];
            if (column === '_key' || (column === 'displayName' && typeof row._key === 'string')) {
              return html`<td><a href=${entityHref(String(row._key))}>${cellText(value)}</a></td>`;
            }
            return html`<td>${cellText(value)}</td>`;
          })}
        </tr>`,
      )}
    <//>`;
}

/** @param {{ entityKey: string }} props */
export function EntityPage({ entityKey }) {
  const state = useLoad(() => api(`/entities/${encodeURIComponent(entityKey)}`), [entityKey]);
  const entity = state.data?.entity;
  const relationships = /** @type {any[]} */ (state.data?.relationships ?? []);
  return html`<${Title}>${entity ? entity.displayName : 'Entity'}<//>
    <p><a href="#/graph">← Graph explorer</a></p>
    <${Loaded} state=${state}>
      ${
        entity &&
        html`<dl class="facts">
          <dt>_key</dt><dd class="mono">${entity._key}</dd>
          <dt>_type</dt><dd>${entity._type}</dd>
          <dt>_class</dt><dd>${entity._class}</dd>
          <dt>First seen</dt><dd>${when(entity.firstSeenAt)}</dd>
          <dt>Updated</dt><dd>${when(entity.updatedAt)}</dd>
        </dl>
        <h2>Properties</h2>
        <${Table} caption="Properties" head=${['Property', 'Value']} count=${Object.keys(entity.properties).length}>
          ${Object.entries(entity.properties).map(
            ([key, value]) =>
              html`<tr><th scope="row">${key}</th><td class="mono">${cellText(value)}</td></tr>`,
          )}
        <//>
        <h2>Relationships</h2>
        <${Table} caption="Relationships" head=${['From', 'Relationship', 'To']} count=${relationships.length} empty="No relationships.">
          ${relationships.map(
            (r) => html`<tr>
              <td>${r.fromKey === entity._key ? html`<em>this</em>` : html`<a href=${entityHref(r.fromKey)}>${r.fromType}: ${r.fromKey}</a>`}</td>
              <td>${r._class} <span class="muted">(${r._type})</span></td>
              <td>${r.toKey === entity._key ? html`<em>this</em>` : html`<a href=${entityHref(r.toKey)}>${r.toType}: ${r.toKey}</a>`}</td>
            </tr>`,
          )}
        <//>`
      }
    <//>`;
}
