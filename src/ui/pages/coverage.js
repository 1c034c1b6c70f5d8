// @ts-check
/** Coverage: actors ranked worst first; per actor the ATT&CK matrix coloured by verdict, totals and exports. */
import { useEffect, useState } from 'preact/hooks';
import { api, apiFile, download } from '../api.js';
import { html } from '../html.js';
import { Badge, ErrorBox, Loaded, Table, Title, useAction, useLoad } from '../ui.js';

const verdicts = ['prevented', 'alerted', 'detected', 'missed', 'untested'];

/** @param {string} actor */
const actorPath = (actor) => `/coverage/${encodeURIComponent(actor)}`;

/** @param {{ actor: string | undefined }} props */
export function CoveragePage({ actor }) {
  return actor === undefined ? html`<${ActorList} />` : html`<${ActorCoverage} actor=${actor} />`;
}

function ActorList() {
  const state = useLoad(() => api('/coverage'), []);
  const lines = /** @type {any[]} */ (state.data?.actors ?? []);
  return html`<${Title}>Coverage<//>
    <p class="muted">Threat actors, the share of their techniques missed first.</p>
    <${Loaded} state=${state}>
      <${Table}
        caption="Coverage by threat actor"
        head=${['Actor', 'Techniques', 'Tested', 'Detected', 'Missed', 'Missed share']}
        count=${lines.length}
        empty="No threat actors yet: sync a ThreatConnect integration."
      >
        ${lines.map(
          (line) => html`<tr class="actor-row">
            <td><a href=${`#/coverage/${encodeURIComponent(line.actor.name)}`}>${line.actor.name}</a></td>
            <td class="num">${line.techniques}</td>
            <td class="num">${line.tested}</td>
            <td class="num">${line.detected}</td>
            <td class="num">${line.missed}</td>
            <td class="num">${Math.round(line.missedShare * 100)}%</td>
          </tr>`,
        )}
      <//>
    <//>`;
}

/** @param {{ actor: string }} props */
function ActorCoverage({ actor }) {
  const state = useLoad(() => api(actorPath(actor)), [actor]);
  const matrix = useMatrix(actor);
  const navigator = useAction(() => exportFile(actor, 'navigator', `${actor}-layer.json`));
  const stix = useAction(() => exportFile(actor, 'stix', `${actor}-stix.json`));
  const coverage = state.data?.coverage;
  const totals = state.data?.totals;
  return html`<${Title}>${`Coverage of ${coverage?.actor.name ?? actor}`}<//>
    <p><a href="#/coverage">← All actors</a></p>
    <div class="actions">
      <button type="button" onClick=${navigator.run} disabled=${navigator.busy}>Download ATT&CK Navigator layer</button>
      <button type="button" class="secondary" onClick=${stix.run} disabled=${stix.busy}>Download STIX 2.1 bundle</button>
    </div>
    <${ErrorBox} error=${navigator.error ?? stix.error} />
    <h2>ATT&CK matrix</h2>
    ${
      matrix.error !== undefined
        ? html`<${ErrorBox} error=${matrix.error} />`
        : matrix.url === undefined
          ? html`<p class="loading" role="status">Drawing the matrix…</p>`
          : html`<img class="matrix" src=${matrix.url} alt=${`ATT&CK matrix of ${actor}, techniques coloured by verdict`} />`
    }
    <${Loaded} state=${state}>
      ${
        totals &&
        html`<h2>Totals</h2>
        <ul class="totals" aria-label="Techniques by verdict">
          <li>${totals.techniques} techniques:</li>
          ${verdicts.map((v) => html`<li><${Badge} value=${v} /> ${totals.byVerdict[v] ?? 0}</li>`)}
        </ul>
        <${Table} caption="By tactic" head=${['Tactic', 'Techniques', ...verdicts]} count=${totals.byTactic.length}>
          ${totals.byTactic.map(
            (/** @type {any} */ t) => html`<tr>
              <td>${t.tactic ?? 'unknown'}</td>
              <td class="num">${t.techniques}</td>
              ${verdicts.map((v) => html`<td class="num">${t.byVerdict[v] ?? 0}</td>`)}
            </tr>`,
          )}
        <//>`
      }
    <//>`;
}

/**
 * Downloads an export of the actor (`navigator` or `stix`) under the name the server gives.
 * @param {string} actor
 * @param {string} kind
 * @param {string} fallback
 */
async function exportFile(actor, kind, fallback) {
  const { blob, filename } = await apiFile(`${actorPath(actor)}/${kind}`);
  download(blob, filename ?? fallback);
}

/**
 * The matrix SVG, fetched with the token and shown through an object URL (revoked on change).
 * @param {string} actor
 * @returns {{ url: string | undefined, error: unknown }}
 */
function useMatrix(actor) {
  const [state, setState] = useState(
    /** @type {{ url: string | undefined, error: unknown }} */ ({ url: undefined, error: undefined }),
  );
  useEffect(() => {
    let url = /** @type {string | undefined} */ (undefined);
    let live = true;
    setState({ url: undefined, error: undefined });
    apiFile(`${actorPath(actor)}/matrix.svg`).then(
      ({ blob }) => {
        if (!live) return;
        url = URL.createObjectURL(blob);
        setState({ url, error: undefined });
      },
      (error) => live && setState({ url: undefined, error }),
    );
    return () => {
      live = false;
      if (url !== undefined) URL.revokeObjectURL(url);
    };
  }, [actor]);
  return state;
}
