import type { FastifyBaseLogger } from 'fastify';
import type { ApiTokenSummary, Principal } from '../app/tokens.ts';
import type { ApiTokenRole } from '../store/types.ts';
import type { VigilMetrics } from './metrics.ts';
import type { RoutePlugin } from './route-module.ts';
import type { ThreatStackWebhookAlert } from './webhooks/schema.ts';

/**
 * The ports the HTTP surface calls: narrow interfaces the application layer implements. The
 * server holds no business rule; each route parses its input, calls one port method, shapes
 * the answer.
 */

/** Checks bearer tokens. */
export interface TokenPort {
  /** Who `token` belongs to, or undefined when it is malformed, unknown or revoked. */
  authenticate(token: string): Promise<Principal | undefined>;
}

/** Manages API tokens (admin routes). */
export interface TokenAdminPort {
  create(input: { name: string; role: ApiTokenRole }): Promise<{ token: string; summary: ApiTokenSummary }>;
  list(): Promise<ApiTokenSummary[]>;
  /** NOT_FOUND when there is no active token of that name. */
  revoke(name: string): Promise<ApiTokenSummary>;
}

/** Readiness checks: each resolves when its part works and throws (with the reason) when not. */
export interface HealthPort {
  checkDatabase(): Promise<void>;
  checkJobs(): Promise<void>;
}

/** Threat Stack webhook intake (spec D11: the secret path segment is the credential). */
export interface WebhookIntakePort {
  /**
   * Whether `secret` is the webhook secret of the Threat Stack integration `integrationId`,
   * compared in constant time; false alike for an unknown integration and a wrong secret.
   */
  verifySecret(integrationId: string, secret: string): Promise<boolean>;
  /**
   * Stores the alerts durably before resolving, idempotent by vendor alert id, and schedules
   * their verification; returns how many were new and how many were already stored. INTAKE_BUSY
   * (503, `retryAfterMs`) when too many alerts wait to be stored.
   */
  accept(
    integrationId: string,
    alerts: ThreatStackWebhookAlert[],
  ): Promise<{ accepted: number; duplicates: number }>;
}

/** The per-token request rate (a token bucket per token, per process). */
export interface RateLimitSettings {
  burst: number;
  perSecond: number;
}

/** Everything `buildServer` needs. */
export interface ServerDeps {
  tokens: TokenPort & TokenAdminPort;
  health: HealthPort;
  webhooks: WebhookIntakePort;
  metrics: VigilMetrics;
  /** Where request and error lines go (a pino logger); secrets never reach it. */
  logger: FastifyBaseLogger;
  /** Milliseconds since the epoch (rate limiting); injected in tests. */
  now: () => number;
  rateLimit?: RateLimitSettings;
  /** Resource route modules (integrations, runs, entities, query …), mounted under `/api/v1`. */
  resources?: readonly RoutePlugin[];
}
