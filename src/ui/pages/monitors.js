// @ts-check
/** Monitors: scheduled validations with their expectation, and per monitor its runs and drift history. */
import { api, can } from '../api.js';
import { html } from '../html.js';
import { Badge, ErrorBox, Loaded, Table, Title, useAction, useLoad, useMe, when } from '../ui.js';
import { validationHref } from './validations.js';

/** @param {string} name */
const monitorHref = (name) => `#/monitors/${encodeURIComponent(name)}`;

/** @param {Record<string, number>} counts */
const verdictText = (counts) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([verdict, n]) => `${verdict} ${n}`)
    .join(', ');

export function MonitorsPage() {
  const state = useLoad(() => api('/monitors'), []);
  const monitors = /** @type {any[]} */ (state.data?.monitors ?? []);
  return html`<${Title}>Monitors<//>
    <${Loaded} state=${state}>
      <${Table}
        caption="Monitors"
        head=${['Name', 'Integration', 'Scope', 'Host', 'Every', 'Expect', 'Last run', 'Next run', 'Open drift']}
        count=${monitors.length}
        empty="No monitors yet (an admin creates them with vigil monitors add)."
      >
        ${monitors.map(
          (m) => html`<tr class="monitor-row">
            <td><a href=${monitorHref(m.name)}>${m.name}</a>${m.warning ? html`<br /><span class="muted">⚠ ${m.warning}</span>` : ''}</td>
            <td>${m.integration.name}</td>
            <td>${m.actor ? `actor ${m.actor.name}` : m.techniques.join(', ')}</td>
            <td>${m.host}</td>
            <td>${m.every}</td>
            <td>${m.expect}</td>
            <td>${when(m.lastRunAt)}</td>
            <td>${when(m.nextRunAt)}</td>
            <td class="num">${m.openDrift > 0 ? html`<${Badge} value=${`${m.openDrift} active`} />` : '0'}</td>
          </tr>`,
        )}
      <//>
    <//>`;
}

/** @param {{ name: string }} props */
export function MonitorPage({ name }) {
  const me = useMe();
  const state = useLoad(() => api(monitorHref(name).replace('#', '')), [name]);
  const runNow = useAction(async () => {
    const answer = await api(`/monitors/${encodeURIComponent(name)}/run`, { method: 'POST' });
    state.reload();
    return answer;
  });
  const monitor = state.data?.monitor;
  const runs = /** @type {any[]} */ (state.data?.runs ?? []);
  const drift = /** @type {any[]} */ (state.data?.drift ?? []);
  return html`<${Title}>${`Monitor ${name}`}<//>
    <p><a href="#/monitors">← All monitors</a></p>
    ${
      can(me?.role, 'operator')
        ? html`<div class="actions"><button type="button" onClick=${runNow.run} disabled=${runNow.busy}>Run now</button></div>`
        : ''
    }
    <${ErrorBox} error=${runNow.error} />
    ${
      runNow.result &&
      html`<p role="status">Started <a href=${validationHref(runNow.result.validationId)}>validation ${runNow.result.validationId}</a>.</p>`
    }
    <${Loaded} state=${state}>
      ${
        monitor &&
        html`<dl class="facts">
          <dt>Integration</dt><dd>${monitor.integration.name}</dd>
          <dt>Scope</dt><dd>${monitor.actor ? `actor ${monitor.actor.name}` : monitor.techniques.join(', ')}</dd>
          <dt>Host</dt><dd>${monitor.host}</dd>
          <dt>Every</dt><dd>${monitor.every}</dd>
          <dt>Expect</dt><dd>${monitor.expect}</dd>
          <dt>Next run</dt><dd>${when(monitor.nextRunAt)}</dd>
        </dl>
        <h2>Drift history</h2>
        <${Table}
          caption="Drift history"
          head=${['Raised', 'Technique', 'Previous', 'Current', 'Expected', 'Status', 'Validation']}
          count=${drift.length}
          empty="No drift: every run met the expectation."
        >
          ${drift.map(
            (d) => html`<tr class="drift-row">
              <td>${when(d.raisedAt)}</td>
              <td>${d.technique}</td>
              <td>${d.previous ? html`<${Badge} value=${d.previous} />` : html`<span class="muted">none</span>`}</td>
              <td><${Badge} value=${d.current} /></td>
              <td>${d.expected}</td>
              <td><${Badge} value=${d.status} /></td>
              <td><a href=${validationHref(d.validationId)}>open</a></td>
            </tr>`,
          )}
        <//>
        <h2>Runs</h2>
        <${Table} caption="Runs" head=${['Started', 'Finished', 'Status', 'Verdicts', 'Validation']} count=${runs.length} empty="Not run yet.">
          ${runs.map(
            (r) => html`<tr>
              <td>${when(r.startedAt)}</td>
              <td>${when(r.finishedAt)}</td>
              <td><${Badge} value=${r.status} /></td>
              <td>${verdictText(r.byVerdict)}</td>
              <td><a href=${validationHref(r.validationId)}>open</a></td>
            </tr>`,
          )}
        <//>`
      }
    <//>`;
}
