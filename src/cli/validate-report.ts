import type { ActionReport, ValidationReport } from '../app/validation-report.ts';
import { renderTable } from './table.ts';

function evidenceOf(action: ActionReport): { alerts: number; events: number } {
  const correlation = action.correlation as { evidence?: { alerts?: unknown[]; events?: unknown[] } } | null;
  return {
    alerts: correlation?.evidence?.alerts?.length ?? 0,
    events: correlation?.evidence?.events?.length ?? 0,
  };
}

/** The text form of `vigil validate show`. */
export function renderReport(report: ValidationReport): string {
  const verdicts = Object.entries(report.verdicts)
    .map(([verdict, n]) => `${verdict} ${n}`)
    .join(', ');
  const header =
    `Validation ${report.id} (${report.name}) on ${report.integration.name ?? report.integration.id}: ` +
    `${report.status}; verdicts ${verdicts || 'none yet'}\n`;
  const columns = [
    { header: 'action', value: (a: ActionReport) => a.action.id },
    { header: 'technique', value: (a: ActionReport) => a.action.technique },
    { header: 'host', value: (a: ActionReport) => a.action.target.hostname ?? a.action.target.agentId ?? '' },
    { header: 'outcome', value: (a: ActionReport) => a.action.outcome },
    { header: 'polls', value: (a: ActionReport) => `${a.progress.pollsDone}/${a.progress.polls}` },
    { header: 'next poll', value: (a: ActionReport) => a.progress.nextPollAt ?? '' },
    { header: 'verdict', value: (a: ActionReport) => a.verdict ?? 'pending' },
    {
      header: 'evidence',
      value: (a: ActionReport) => {
        const { alerts, events } = evidenceOf(a);
        return `${alerts} alert(s), ${events} event(s)`;
      },
    },
    {
      header: 'suspicious',
      value: (a: ActionReport) => (Array.isArray(a.suspicious) ? a.suspicious.length : ''),
    },
  ];
  return `${header}${renderTable(columns, report.actions)}\n`;
}
