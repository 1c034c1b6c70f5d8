// @ts-check
/** Integrations: the list, adding one (admin), and per integration its test, sync now and last runs. */
import { useState } from 'preact/hooks';
import { ApiError, api, can } from '../api.js';
import { html } from '../html.js';
import { Badge, ErrorBox, Loaded, Table, Title, useAction, useLoad, useMe, when } from '../ui.js';

/** @param {string} name */
const integrationHref = (name) => `#/integrations/${encodeURIComponent(name)}`;

export function IntegrationsPage() {
  const me = useMe();
  const state = useLoad(() => api('/integrations'), []);
  const integrations = /** @type {any[]} */ (state.data?.integrations ?? []);
  return html`<${Title}>Integrations<//>
    <${Loaded} state=${state}>
      <${Table}
        caption="Integrations"
        head=${['Name', 'Kind', 'Last sync', 'Status']}
        count=${integrations.length}
        empty="No integrations yet."
      >
        ${integrations.map(
          (i) => html`<tr>
            <td><a href=${integrationHref(i.name)}>${i.name}</a></td>
            <td>${i.kind}</td>
            <td>${when(i.lastRun?.startedAt) || html`<span class="muted">never</span>`}</td>
            <td>${i.lastRun ? html`<${Badge} value=${i.lastRun.status} />` : ''}</td>
          </tr>`,
        )}
      <//>
    <//>
    ${can(me?.role, 'admin') ? html`<${AddIntegration} onAdded=${state.reload} />` : ''}`;
}

/** @param {{ onAdded: () => void }} props */
function AddIntegration({ onAdded }) {
  const [form, setForm] = useState({ kind: 'threatstack', name: '', apiKey: '', fields: '{\n  \n}' });
  const add = useAction(async () => {
    let fields;
    try {
      fields = JSON.parse(form.fields || '{}');
    } catch {
      throw new ApiError(
        0,
        'INPUT_INVALID',
        'Settings must be a JSON object, e.g. {"host": "api.threatstack.com"}.',
        undefined,
      );
    }
    await api('/integrations', {
      method: 'POST',
      body: { kind: form.kind, name: form.name, apiKey: form.apiKey, fields },
    });
    setForm({ ...form, name: '', apiKey: '' });
    onAdded();
  });
  /** @param {string} key */
  const bind = (key) => ({
    value: /** @type {Record<string, string>} */ (form)[key],
    onInput: (/** @type {any} */ e) => setForm({ ...form, [key]: e.currentTarget.value }),
  });
  return html`<section class="panel" aria-labelledby="add-integration">
    <h2 id="add-integration">Add an integration</h2>
    <form
      class="stack"
      onSubmit=${(/** @type {Event} */ e) => {
        e.preventDefault();
        add.run();
      }}
    >
      <label>Kind
        <select name="kind" ...${bind('kind')}>
          <option value="threatstack">Threat Stack</option>
          <option value="threatconnect">ThreatConnect</option>
        </select>
      </label>
      <label>Name <input name="name" required ...${bind('name')} /></label>
      <label>API key <input name="apiKey" type="password" autocomplete="off" required ...${bind('apiKey')} /></label>
      <label>Settings (JSON)
        <textarea name="fields" ...${bind('fields')}></textarea>
        <span class="help">Threat Stack: host, port, userId, orgId … ThreatConnect: host, accessId … (see <code>vigil help integrations add</code>).</span>
      </label>
      <div class="actions"><button type="submit" disabled=${add.busy}>Add integration</button></div>
      <${ErrorBox} error=${add.error} />
    </form>
  </section>`;
}

/** @param {{ name: string }} props */
export function IntegrationPage({ name }) {
  const me = useMe();
  const state = useLoad(() => api(`/integrations/${encodeURIComponent(name)}`), [name]);
  const runs = useLoad(() => api(`/runs?integration=${encodeURIComponent(name)}&limit=10`), [name]);
  const test = useAction(() => api(`/integrations/${encodeURIComponent(name)}/test`, { method: 'POST' }));
  const sync = useAction(async () => {
    const answer = await api(`/integrations/${encodeURIComponent(name)}/sync`, { method: 'POST' });
    runs.reload();
    state.reload();
    return answer;
  });
  const integration = state.data?.integration;
  return html`<${Title}>${`Integration ${name}`}<//>
    <p><a href="#/integrations">← All integrations</a></p>
    <${Loaded} state=${state}>
      ${
        integration &&
        html`<dl class="facts">
        <dt>Kind</dt><dd>${integration.kind}</dd>
        <dt>Id</dt><dd class="mono">${integration.id}</dd>
        <dt>API key</dt><dd>${integration.apiKey ?? 'none'}</dd>
        ${Object.entries(integration.config).map(
          ([key, value]) => html`<dt>${key}</dt><dd class="mono">${JSON.stringify(value)}</dd>`,
        )}
      </dl>`
      }
    <//>
    ${
      can(me?.role, 'operator')
        ? html`<div class="actions">
          <button type="button" onClick=${test.run} disabled=${test.busy}>${test.busy ? 'Testing…' : 'Test connection'}</button>
          <button type="button" class="secondary" onClick=${sync.run} disabled=${sync.busy}>
            ${sync.busy ? 'Syncing…' : 'Sync now'}
          </button>
        </div>`
        : ''
    }
    <${ErrorBox} error=${test.error ?? sync.error} />
    ${test.result && html`<${TestResult} result=${test.result} />`}
    ${
      sync.result &&
      html`<p role="status">${sync.result.title}: <${Badge} value=${sync.result.run.status} /> in ${sync.result.run.durationMs} ms</p>`
    }
    <h2>Last runs</h2>
    <${Loaded} state=${runs}><${Runs} runs=${runs.data?.runs ?? []} /><//>`;
}

/** The layered connectivity test: its code, then each layer checked. */
/** @param {{ result: { code: string, message: string, checks: Array<{ name: string, ok: boolean, detail: string }> } }} props */
function TestResult({ result }) {
  return html`<section class="panel" aria-labelledby="test-result" role="status">
    <h2 id="test-result">Connection test: <span class="test-code"><${Badge} value=${result.code} /></span></h2>
    <p>${result.message}</p>
    <ol>
      ${result.checks.map(
        (check) => html`<li>
          <strong>${check.name}</strong> ${check.ok ? '✓ passed' : '✗ failed'}
          <span class="muted"> — ${check.detail}</span>
        </li>`,
      )}
    </ol>
  </section>`;
}

/** @param {{ runs: any[] }} props */
function Runs({ runs }) {
  const [open, setOpen] = useState(/** @type {string | null} */ (null));
  return html`<${Table}
      caption="Last sync runs"
      head=${['Started', 'Status', 'Duration', 'Created', 'Updated', 'Deleted', '']}
      count=${runs.length}
      empty="No runs yet."
    >
      ${runs.map(
        (run) => html`<tr>
          <td>${when(run.startedAt)}</td>
          <td><${Badge} value=${run.status} /></td>
          <td class="num">${run.durationMs ?? ''} ms</td>
          <td class="num">${run.changes.created}</td>
          <td class="num">${run.changes.updated}</td>
          <td class="num">${run.changes.deleted}</td>
          <td>
            <button type="button" class="secondary" aria-expanded=${open === run.id} onClick=${() => setOpen(open === run.id ? null : run.id)}>
              Changes by type
            </button>
          </td>
        </tr>`,
      )}
    <//>
    ${open && html`<${RunChanges} runId=${open} />`}`;
}

/** @param {{ runId: string }} props */
function RunChanges({ runId }) {
  const state = useLoad(() => api(`/runs/${encodeURIComponent(runId)}`), [runId]);
  const changes = /** @type {any[]} */ (state.data?.run.changes ?? []);
  return html`<section class="panel" aria-label="Changes of the run">
    <${Loaded} state=${state}>
      <${Table} caption="Changes by type" head=${['Kind', 'Type', 'Created', 'Updated', 'Deleted']} count=${changes.length} empty="No changes.">
        ${changes.map(
          (c) => html`<tr>
            <td>${c.kind}</td><td>${c.type}</td>
            <td class="num">${c.created}</td><td class="num">${c.updated}</td><td class="num">${c.deleted}</td>
          </tr>`,
        )}
      <//>
    <//>
  </section>`;
}
