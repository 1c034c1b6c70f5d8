import { timingSafeEqual } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { ApiTokenService } from '../../src/app/tokens.ts';
import { buildServer } from '../../src/server/app.ts';
import { createVigilMetrics, type VigilMetrics } from '../../src/server/metrics.ts';
import type { HealthPort, RateLimitSettings, ServerDeps, WebhookIntakePort } from '../../src/server/ports.ts';
import type { ThreatStackWebhookAlert } from '../../src/server/webhooks/schema.ts';
import { storeBackends, type TestStore } from '../../src/store/testing.ts';
import type { ApiTokenRole } from '../../src/store/types.ts';

/** The webhook intake port in memory (tests only): alerts by id per integration, secrets compared in constant time. */
export class MemoryWebhookIntake implements WebhookIntakePort {
  readonly alerts = new Map<string, ThreatStackWebhookAlert>();

  constructor(private readonly secrets: Record<string, string>) {}

  async verifySecret(integrationId: string, secret: string): Promise<boolean> {
    const expected = Buffer.from(this.secrets[integrationId] ?? '', 'utf8');
    const given = Buffer.from(secret, 'utf8');
    return expected.length > 0 && expected.length === given.length && timingSafeEqual(expected, given);
  }

  async accept(integrationId: string, alerts: ThreatStackWebhookAlert[]) {
    let accepted = 0;
    for (const alert of alerts) {
      const key = `${integrationId}/${alert.id}`;
      if (this.alerts.has(key)) continue;
      this.alerts.set(key, alert);
      accepted += 1;
    }
    return { accepted, duplicates: alerts.length - accepted };
  }
}

/** Readiness checks a test can break: each throws its reason while set. */
export class SwitchableHealth implements HealthPort {
  databaseFailure: string | undefined;
  jobsFailure: string | undefined;

  async checkDatabase(): Promise<void> {
    if (this.databaseFailure !== undefined) throw new Error(this.databaseFailure);
  }

  async checkJobs(): Promise<void> {
    if (this.jobsFailure !== undefined) throw new Error(this.jobsFailure);
  }
}

export const webhookSecret = 'wh-secret-0123456789abcdef';
export const integrationId = 'int-ts-1';

export interface Harness {
  app: FastifyInstance;
  tokens: ApiTokenService;
  intake: MemoryWebhookIntake;
  health: SwitchableHealth;
  metrics: VigilMetrics;
  /** Every log line written, parsed. */
  logLines: Array<Record<string, unknown>>;
  /** Raw log text, to search for secrets. */
  logText(): string;
  clock: { ms: number };
  queueDepth: { value: number };
  /** A fresh token of `role`, created through the service. */
  tokenFor(role: ApiTokenRole, name?: string): Promise<string>;
  close(): Promise<void>;
}

/** A server over a fresh SQLite store (tokens), the in-memory intake, switchable health and a fixed clock. */
export async function openHarness(
  options: { rateLimit?: RateLimitSettings; resources?: ServerDeps['resources'] } = {},
): Promise<Harness> {
  const sqlite = storeBackends.find((backend) => backend.name === 'sqlite');
  if (sqlite === undefined) throw new Error('no SQLite back end');
  const opened: TestStore = await sqlite.open();
  const clock = { ms: Date.parse('2026-06-01T12:00:00.000Z') };
  const tokens = new ApiTokenService(opened.store, { now: () => new Date(clock.ms) });
  const intake = new MemoryWebhookIntake({ [integrationId]: webhookSecret });
  const health = new SwitchableHealth();
  const queueDepth = { value: 0 };
  const metrics = createVigilMetrics(async () => queueDepth.value);
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  const app = await buildServer({
    tokens,
    health,
    webhooks: intake,
    metrics,
    logger,
    now: () => clock.ms,
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    ...(options.resources === undefined ? {} : { resources: options.resources }),
  });
  let counter = 0;
  return {
    app,
    tokens,
    intake,
    health,
    metrics,
    get logLines() {
      return chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => chunks.join(''),
    clock,
    queueDepth,
    async tokenFor(role, name) {
      counter += 1;
      return (await tokens.create({ name: name ?? `${role}-${counter}`, role })).token;
    },
    async close() {
      await app.close();
      await opened.dispose();
    },
  };
}

/** `Authorization: Bearer <token>`. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
