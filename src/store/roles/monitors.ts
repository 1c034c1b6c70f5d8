/* The role of monitors (issue 14): monitors, their runs and the drift alerts the runs raise. */

/** A monitor as stored; `techniques` and `actions` are parsed by the application. */
export interface MonitorRecord {
  id: string;
  name: string;
  integrationId: string;
  /** The threat actor its techniques came from (null: techniques given by hand). */
  actor: { key: string; name: string } | null;
  techniques: string[];
  host: string;
  everyMs: number;
  /** `detected` | `prevented` | `either`. */
  expect: string;
  /** `webhook:<url>` | `log`, as the rules write them. */
  actions: string[];
  createdAt: string;
}

/** One run of a monitor: its validations and, once every verdict is in, its verdicts. */
export interface MonitorRunRecord {
  id: string;
  monitorId: string;
  /** The due slot it served (`<previous run>#<n>`, or `manual:<time>`): unique per monitor. */
  slot: string;
  validationIds: string[];
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'complete';
  /** Technique → verdict, once complete. */
  verdicts: Record<string, string> | null;
  /** Verdict → count, once complete. */
  byVerdict: Record<string, number> | null;
}

export type DriftStatus = 'ACTIVE' | 'DISMISSED';

/** A drift alert: one technique of one run that got worse. */
export interface DriftRecord {
  id: string;
  monitorId: string;
  runId: string;
  technique: string;
  previous: string | null;
  current: string;
  expected: string;
  validationId: string;
  raisedAt: string;
  status: DriftStatus;
  dismissedAt: string | null;
}

/** Monitors (role interface): definitions, runs, drift alerts. */
export interface MonitorRecords {
  /** INPUT_INVALID when a monitor of that name (any case) exists. */
  insertMonitor(record: MonitorRecord): Promise<void>;
  listMonitors(): Promise<MonitorRecord[]>;
  /** By id or name. */
  findMonitor(reference: string): Promise<MonitorRecord | undefined>;
  /** Removes a monitor with its runs and drift alerts; false when there was none. */
  deleteMonitor(id: string): Promise<boolean>;
  /** Records a run about to start; false, and nothing written, when its slot already has one. */
  insertMonitorRun(record: Omit<MonitorRunRecord, 'validationIds'>): Promise<boolean>;
  /** Records the validations a started run created. */
  setMonitorRunValidations(runId: string, validationIds: readonly string[]): Promise<void>;
  /** A monitor's runs, newest first. */
  listMonitorRuns(monitorId: string, limit: number): Promise<MonitorRunRecord[]>;
  /** Every run still `running`, oldest first (their completion is checked by the job runtime). */
  listRunningMonitorRuns(): Promise<MonitorRunRecord[]>;
  /**
   * Completes a running run in one transaction with its verdicts and the drift alerts it raises
   * (one per run × technique). Returns the alerts newly written; none, and nothing changed, when
   * the run was already complete (a second completion of it).
   */
  completeMonitorRun(
    runId: string,
    result: { finishedAt: string; verdicts: Record<string, string>; byVerdict: Record<string, number> },
    drift: readonly DriftRecord[],
  ): Promise<DriftRecord[]>;
  /** A monitor's drift alerts (ACTIVE and DISMISSED), newest first. */
  listDrift(monitorId: string): Promise<DriftRecord[]>;
  /** Dismisses a drift alert; undefined when there is none of that id. */
  dismissDrift(id: string, dismissedAt: string): Promise<DriftRecord | undefined>;
}
