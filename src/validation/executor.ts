import { z } from 'zod';
import { VigilError } from '../errors.ts';
import {
  type Action,
  type ActionSource,
  type ExecutorOutcome,
  markedCommandLine,
  type PassRule,
} from './action.ts';

/** What to run: a technique's command on one host. */
export interface ExecutionRequest {
  technique: string;
  target: { agentId?: string | undefined; hostname?: string | undefined };
  /** The command as the executor must run it (already carrying the action's marker). */
  commandLine: string;
}

/** What the executor saw. Times are in Vigil's clock. */
export interface ExecutionResult {
  outcome: ExecutorOutcome;
  startedAt: string;
  endedAt?: string;
  /** The host as the executor resolved it (e.g. the agent id behind a hostname). */
  target: { agentId?: string; hostname?: string };
  processId?: number;
  /** The executor's own id of the run, for the operator. */
  reference?: string;
}

/**
 * Runs attack actions on hosts. The simulator's attack-simulation endpoint is one implementation;
 * an Atomic Red Team or Caldera executor driving a real endpoint is another behind the same
 * contract: resolve the host, run the command, report `ran` / `blocked` / `failed` and when it
 * started. Failing to reach the executor is an error (EXECUTOR_FAILED); an unknown host is
 * NOT_FOUND; an action the executor ran and saw fail is the outcome `failed`, not an error.
 */
export interface AttackExecutor {
  /** The action source its actions record. */
  readonly source: ActionSource;
  execute(request: ExecutionRequest): Promise<ExecutionResult>;
}

/** An action to run: everything but what the executor reports. */
export interface PlannedAction {
  id: string;
  technique: string;
  target: { agentId?: string; hostname?: string; ips?: string[]; ports?: number[] };
  commandLine: string;
  marker: string;
  expected?: PassRule;
}

/** Runs a planned action (its command marked with its marker) and returns the recorded action. */
export async function executeAction(planned: PlannedAction, executor: AttackExecutor): Promise<Action> {
  const commandLine = markedCommandLine(planned.commandLine, planned.marker);
  const result = await executor.execute({
    technique: planned.technique,
    target: planned.target,
    commandLine,
  });
  return {
    id: planned.id,
    technique: planned.technique,
    target: { ips: [], ports: [], ...planned.target, ...result.target },
    commandLine,
    marker: planned.marker,
    ...(result.processId === undefined ? {} : { processId: result.processId }),
    startedAt: result.startedAt,
    ...(result.endedAt === undefined ? {} : { endedAt: result.endedAt }),
    outcome: result.outcome,
    source: executor.source,
    ...(planned.expected === undefined ? {} : { expected: planned.expected }),
  };
}

const recordedActionSchema = z.looseObject({
  id: z.string(),
  agentId: z.string(),
  hostname: z.string(),
});
/** The admin API's error body (`{"error":{code,message}}`). */
const simulatorErrorSchema = z.looseObject({ error: z.looseObject({ message: z.string() }) });

export interface SimulatorExecutorOptions {
  /** The simulator's base URL (its admin API answers on loopback only), e.g. `http://127.0.0.1:8443`. */
  baseUrl: string;
  /** Vigil's clock (injectable for tests). */
  now?: () => number;
}

/**
 * The Threat Stack simulator's attack-simulation endpoint (`POST /_sim/actions`) as an executor:
 * the simulator records the action on the agent and raises the events (and, where a detection
 * rule covers the technique, the alert) Threat Stack would. It cannot block anything, so its
 * outcome is always `ran`. `startedAt` is read from Vigil's clock just before the request: the
 * simulator stamps the events with its own (the vendor's) clock, which is exactly the skew the
 * event time adjustment corrects. The simulator's answer also says which alert it will raise;
 * that ground truth is deliberately not passed on.
 */
export function createSimulatorExecutor(options: SimulatorExecutorOptions): AttackExecutor {
  const now = options.now ?? Date.now;
  const url = new URL('/_sim/actions', options.baseUrl).toString();
  return {
    source: 'simulator',
    async execute(request) {
      const target =
        request.target.agentId === undefined
          ? { hostname: request.target.hostname }
          : { agentId: request.target.agentId };
      const startedAt = new Date(now()).toISOString();
      const body = JSON.stringify({
        technique: request.technique,
        commandLine: request.commandLine,
        ...target,
      });
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
      } catch (error) {
        throw new VigilError(
          'EXECUTOR_FAILED',
          `The Threat Stack simulator at ${url} could not be reached.`,
          {
            hint: 'Start it with `vigil simulate threatstack` and give its URL.',
            cause: error,
          },
        );
      }
      const json: unknown = await response.json().catch(() => null);
      if (response.status === 201) {
        const recorded = recordedActionSchema.safeParse(json);
        if (!recorded.success) throw executorFailed(url, 'answered without the recorded action');
        const { id, agentId, hostname } = recorded.data;
        return { outcome: 'ran', startedAt, target: { agentId, hostname }, reference: id };
      }
      const message = simulatorErrorSchema.safeParse(json).data?.error.message ?? `status ${response.status}`;
      if (response.status === 404)
        throw new VigilError('NOT_FOUND', `The simulator refused the action: ${message}.`);
      if (response.status === 400)
        throw new VigilError('INPUT_INVALID', `The simulator refused the action: ${message}.`);
      throw executorFailed(url, `answered ${response.status} (${message})`);
    },
  };
}

function executorFailed(url: string, problem: string): VigilError {
  return new VigilError('EXECUTOR_FAILED', `The Threat Stack simulator at ${url} ${problem}.`);
}
