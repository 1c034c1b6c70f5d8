// @ts-check
/** Validations: the list, a form to start one (operator), and one validation followed live by polling. */
import { useEffect, useState } from 'preact/hooks';
import { api, can } from '../api.js';
import { html } from '../html.js';
import { Badge, cellText, ErrorBox, Loaded, Table, Title, useAction, useLoad, useMe, when } from '../ui.js';

/** How often a running validation is read again (ms). */
const pollMs = 2000;

/** @param {string} id */
export const validationHref = (id) => `#/validations/${encodeURIComponent(id)}`;

export function ValidationsPage() {
  const me = useMe();
  const state = useLoad(() => api('/validations?limit=100'), []);
  const validations = /** @type {any[]} */ (state.data?.validations ?? []);
  return html`<${Title}>Validations<//>
    <${Loaded} state=${state}>
      <${Table}
        caption="Validations"
        head=${['Name', 'Created', 'Status', 'Verdicts']}
        count=${validations.length}
        empty="No validations yet."
      >
        ${validations.map(
          (v) => html`<tr>
            <td><a href=${validationHref(v.id)}>${v.name}</a></td>
            <td>${when(v.createdAt)}</td>
            <td><${Badge} value=${v.status} /></td>
            <td class="num">${v.verdicts}/${v.actions}</td>
          </tr>`,
        )}
      <//>
    <//>
    ${can(me?.role, 'operator') ? html`<${StartValidation} />` : ''}`;
}

function StartValidation() {
  const integrations = useLoad(() => api('/integrations'), []);
  const choices = /** @type {any[]} */ (integrations.data?.integrations ?? []).filter(
    (i) => i.kind === 'threatstack',
  );
  const [form, setForm] = useState({ integration: '', techniques: 'T1059.004', host: '', name: '' });
  const chosen = form.integration || (choices[0]?.name ?? '');
  const start = useAction(async () => {
    const created = await api('/validations', {
      method: 'POST',
      body: {
        integration: chosen,
        techniques: form.techniques.split(/[\s,]+/).filter((t) => t !== ''),
        host: form.host,
        executor: 'simulator',
        ...(form.name.trim() === '' ? {} : { name: form.name.trim() }),
      },
    });
    location.hash = validationHref(created.id);
  });
  /** @param {string} key */
  const bind = (key) => ({
    value: /** @type {Record<string, string>} */ (form)[key],
    onInput: (/** @type {any} */ e) => setForm({ ...form, [key]: e.currentTarget.value }),
  });
  return html`<section class="panel" aria-labelledby="start-validation">
    <h2 id="start-validation">Start a validation</h2>
    <form
      class="stack"
      onSubmit=${(/** @type {Event} */ e) => {
        e.preventDefault();
        start.run();
      }}
    >
      <label>Threat Stack integration
        <select
          name="integration"
          value=${chosen}
          onChange=${(/** @type {any} */ e) => setForm({ ...form, integration: e.currentTarget.value })}
        >
          ${choices.map((i) => html`<option value=${i.name}>${i.name}</option>`)}
        </select>
      </label>
      <label>ATT&CK techniques
        <input name="techniques" required ...${bind('techniques')} />
        <span class="help">Ids separated by spaces or commas, e.g. T1059.004 T1105 T1033.</span>
      </label>
      <label>Host <input name="host" required ...${bind('host')} /><span class="help">The agent's hostname; the simulator executor runs each technique there.</span></label>
      <label>Name (optional) <input name="name" ...${bind('name')} /></label>
      <div class="actions"><button type="submit" disabled=${start.busy || choices.length === 0}>Start validation</button></div>
      <${ErrorBox} error=${start.error ?? integrations.error} />
    </form>
  </section>`;
}

/**
 * A validation, read again every `pollMs` while it runs.
 * @param {{ id: string }} props
 */
export function ValidationPage({ id }) {
  const [tick, setTick] = useState(0);
  const state = useLoad(() => api(`/validations/${encodeURIComponent(id)}`), [id, tick]);
  const report = state.data;
  const running = report?.status === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => setTick((t) => t + 1), pollMs);
    return () => clearTimeout(timer);
  }, [running, report]);
  const actions = /** @type {any[]} */ (report?.actions ?? []);
  return html`<${Title}>${report ? `Validation ${report.name}` : 'Validation'}<//>
    <p><a href="#/validations">← All validations</a></p>
    ${report === undefined ? html`<${Loaded} state=${state}>${''}<//>` : ''}
    ${state.error !== undefined && report !== undefined ? html`<${ErrorBox} error=${state.error} />` : ''}
    ${
      report &&
      html`<dl class="facts">
        <dt>Status</dt>
        <dd><${Badge} value=${report.status} />${running ? html` <span class="muted" role="status">live: read again every ${pollMs / 1000} s</span>` : ''}</dd>
        <dt>Integration</dt><dd>${report.integration.name ?? report.integration.id}</dd>
        <dt>Created</dt><dd>${when(report.createdAt)}</dd>
        <dt>Verdicts</dt>
        <dd class="verdicts">
          ${
            Object.keys(report.verdicts).length === 0
              ? html`<span class="muted">none yet</span>`
              : Object.entries(report.verdicts).map(
                  ([verdict, n]) => html`<${Badge} value=${verdict} /> ${n} `,
                )
          }
        </dd>
      </dl>
      <h2>Actions</h2>
      <${Table}
        caption="Actions"
        head=${['Action', 'Technique', 'Host', 'Outcome', 'Polls', 'Next poll', 'Verdict', 'Evidence']}
        count=${actions.length}
      >
        ${actions.map((a) => html`<${ActionRow} item=${a} />`)}
      <//>
      ${actions.map((a) => html`<${ActionDetails} item=${a} />`)}`
    }`;
}

/** @param {any} item */
function evidenceOf(item) {
  const evidence = item.correlation?.evidence ?? {};
  return {
    alerts: /** @type {any[]} */ (evidence.alerts ?? []),
    events: /** @type {any[]} */ (evidence.events ?? []),
  };
}

/** @param {{ item: any }} props */
function ActionRow({ item }) {
  const { action, progress } = item;
  const { alerts, events } = evidenceOf(item);
  return html`<tr class="action-row">
    <td>${action.id}</td>
    <td>${action.technique}</td>
    <td>${action.target.hostname ?? action.target.agentId ?? ''}</td>
    <td>${action.outcome}</td>
    <td>
      <progress max=${progress.polls} value=${progress.pollsDone} aria-label=${`polls of ${action.id}`}></progress>
      ${' '}${progress.pollsDone}/${progress.polls}
    </td>
    <td>${when(progress.nextPollAt)}</td>
    <td class="verdict"><${Badge} value=${item.verdict} /></td>
    <td>${alerts.length} alert(s), ${events.length} event(s)</td>
  </tr>`;
}

/** Evidence and suspicious events of one action. */
/** @param {{ item: any }} props */
function ActionDetails({ item }) {
  const { action } = item;
  const { alerts, events } = evidenceOf(item);
  const suspicious = Array.isArray(item.suspicious) ? item.suspicious : null;
  if (item.verdict === null && alerts.length === 0) return null;
  return html`<section class="panel" id=${`action-${action.id}`} aria-label=${`Evidence of ${action.id}`}>
    <h2>${action.id}: ${action.technique} <${Badge} value=${item.verdict} /></h2>
    ${action.commandLine ? html`<p>Command: <code>${action.commandLine}</code></p>` : ''}
    <h3>Evidence</h3>
    ${alerts.length === 0 && events.length === 0 ? html`<p class="muted">No alert or event matched.</p>` : ''}
    ${
      alerts.length > 0 &&
      html`<${Table} caption="Matching alerts" head=${['Alert', 'Matched fields']} count=${alerts.length}>
      ${alerts.map((a) => html`<tr><td class="mono">${a.alertId ?? cellText(a)}</td><td>${(a.matched ?? []).join(', ')}</td></tr>`)}
    <//>`
    }
    ${
      events.length > 0 &&
      html`<${Table} caption="Matching events" head=${['Event', 'Matched fields']} count=${events.length}>
      ${events.map((e) => html`<tr><td class="mono">${e.eventId ?? cellText(e)}</td><td>${(e.matched ?? []).join(', ')}</td></tr>`)}
    <//>`
    }
    ${
      suspicious !== null &&
      html`<h3>Suspicious events</h3>
      <${Table} caption="Suspicious events" head=${['Event', 'Failed checks']} count=${suspicious.length} empty="None.">
        ${suspicious.map(
          (/** @type {any} */ s) => html`<tr>
            <td class="mono">${s.eventId ?? s.alertId ?? cellText(s.id)}</td>
            <td>${(s.failed ?? []).map((/** @type {any} */ f) => f.field).join(', ')}</td>
          </tr>`,
        )}
      <//>`
    }
  </section>`;
}
