// @ts-check
/** Alerts: Threat Stack alerts (synced and webhook-received) and the alerts of Vigil's rules. */
import { api, can } from '../api.js';
import { html } from '../html.js';
import { Badge, cellText, ErrorBox, Loaded, Table, Title, useAction, useLoad, useMe, when } from '../ui.js';
import { entityHref } from './graph.js';

const severities = { 1: 'high', 2: 'medium', 3: 'low' };

export function AlertsPage() {
  const vendor = useLoad(() => api('/alerts?limit=200'), []);
  const rules = useLoad(() => api('/rule-alerts?limit=200'), []);
  const alerts = /** @type {any[]} */ (vendor.data?.alerts ?? []);
  const ruleAlerts = /** @type {any[]} */ (rules.data?.alerts ?? []);
  return html`<${Title}>Alerts<//>
    <h2>Threat Stack alerts</h2>
    <${Loaded} state=${vendor}>
      <${Table}
        caption="Threat Stack alerts"
        head=${['Created', 'Title', 'Severity', 'Status', 'Received', 'Verification']}
        count=${alerts.length}
        empty="No Threat Stack alerts yet (a sync or the webhook brings them)."
      >
        ${alerts.map((a) => {
          const p = a.properties;
          return html`<tr class="ts-alert">
            <td>${when(p.createdOn)}</td>
            <td><a href=${entityHref(a._key)}>${a.displayName}</a></td>
            <td>${/** @type {Record<string, string>} */ (severities)[p.severity] ?? cellText(p.severity)}</td>
            <td><${Badge} value=${p.open === false ? 'dismissed' : 'open'} /></td>
            <td>${p.source === 'webhook' ? 'webhook' : 'sync'}</td>
            <td>${p.verification ?? (p.verified === true ? 'verified' : '')}</td>
          </tr>`;
        })}
      <//>
    <//>
    <h2>Rule alerts</h2>
    <${Loaded} state=${rules}>
      <${Table}
        caption="Rule alerts"
        head=${['Rule', 'Status', 'Opened', 'Last fired', 'Rows', '']}
        count=${ruleAlerts.length}
        empty="No rule has fired."
      >
        ${ruleAlerts.map((a) => html`<${RuleAlertRow} alert=${a} onChange=${rules.reload} />`)}
      <//>
    <//>`;
}

/** @param {{ alert: any, onChange: () => void }} props */
function RuleAlertRow({ alert, onChange }) {
  const me = useMe();
  const dismiss = useAction(async () => {
    await api(`/rule-alerts/${encodeURIComponent(alert.id)}/dismiss`, { method: 'POST' });
    onChange();
  });
  return html`<tr>
    <td>${alert.ruleName}</td>
    <td><${Badge} value=${alert.status} /></td>
    <td>${when(alert.openedAt)}</td>
    <td>${when(alert.lastFiredAt)}</td>
    <td class="num">${alert.rowCount}</td>
    <td>
      ${
        can(me?.role, 'operator') && alert.status !== 'DISMISSED'
          ? html`<button type="button" class="secondary" onClick=${dismiss.run} disabled=${dismiss.busy}>Dismiss</button>`
          : ''
      }
      <${ErrorBox} error=${dismiss.error} />
    </td>
  </tr>`;
}
