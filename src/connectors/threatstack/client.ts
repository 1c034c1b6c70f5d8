import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { defaultBackoff } from '../http/backoff.ts';
import { splitTopLevelArray } from '../http/json-array-elements.ts';
import { exceedsJsonDepth } from '../http/json-depth.ts';
import { listingScope, waitAllowance } from '../http/limits.ts';
import { encodePathSegment, pathWithQuery, type QueryParams } from '../http/path.ts';
import {
  invalidResponse,
  networkError,
  type ProviderContext,
  responseError,
  tooLargeResponse,
} from '../http/provider-errors.ts';
import { tooDeepResponse } from '../http/response-body.ts';
import { millisecondsHeader, type RetryEvent, type RetryOutcome, withRetries } from '../http/retry.ts';
import { type ClientRuntime, createClientRuntime } from '../http/runtime.ts';
import { type HttpResponse, ResponseTooLargeError, sendOnce } from '../http/transport.ts';
import { countWait, type WaitAllowance, type WaitEvent, type WaitReason } from '../http/waits.ts';
import { nextPageToken, parseElements } from './client-listing.ts';
import {
  type HawkSession,
  parseJsonBody,
  parseWithSchema,
  type ResolvedConfig,
  resolveConfig,
  type SendOptions,
  type ThreatStackClientDeps,
  type ThreatStackClientStats,
  type ThreatStackLimitOptions,
} from './client-support.ts';

export type { ThreatStackClientDeps, ThreatStackClientStats } from './client-support.ts';

import { clientSecrets } from '../http/redaction.ts';
import {
  newNonce,
  responseAuthenticationProblem,
  signHawkRequest,
  verifiedServerTime,
} from './hawk-signer.ts';
import {
  agentSchema,
  alertEventSchema,
  alertSchema,
  cveSchema,
  ec2InstanceSchema,
  type TsAgent,
  type TsAlert,
  type TsAlertEvent,
  type TsCve,
  type TsEc2Instance,
  type TsVulnerableServer,
  vulnerableServerSchema,
} from './types.ts';

/** The limits (`ThreatStackLimitOptions`) have defaults far above any real organization. */
export interface ThreatStackClientConfig extends ThreatStackLimitOptions {
  /** `protocol://host:port` of the API, e.g. `https://api.threatstack.com:443`. */
  baseUrl: string;
  userId: string;
  apiKey: string;
  orgId: string;
  /** Client-side budget per rolling minute (default 200, the organization's limit); 0 = none. */
  requestsPerMinute?: number;
  /** Per attempt: connect, headers and body together (default 30 000). */
  timeoutMs?: number;
  /** Attempts per request, the first included (default 6). */
  maxAttempts?: number;
  /** `http(s)://[user:pass@]host:port`; ignored when `dispatcher` is given. */
  proxy?: string;
  /** A dispatcher to use instead of creating one (the caller then closes it). */
  dispatcher?: Dispatcher;
  /** Check `Server-Authorization` on every 2xx (default true). */
  verifyResponses?: boolean;
}

/** What `dismissAlerts` sends (POST /v2/alerts/dismiss, by ids). */
export interface DismissAlertsRequest {
  ids: string[];
  dismissReason: 'BUSINESS_OP' | 'COMPANY_POLICY' | 'MAINTENANCE' | 'OTHER';
  dismissReasonText?: string;
}

const NOT_FOUND = Symbol('not found');
/** Threat Stack's retry-after: milliseconds until the rolling window admits a request (D9). */
const readRateLimitReset = millisecondsHeader('x-rate-limit-reset');
const selfTestSchema = z.looseObject({ authenticated: z.literal(true) });

/**
 * The Threat Stack REST API v2 client (spec: specs/threatstack-api.md, "Conformance checklist").
 * Every attempt is Hawk-signed afresh over the exact path and query it sends; every 2xx is
 * checked against `Server-Authorization`; lists are async iterators that yield one page at a
 * time; 429, 5xx and network failures are retried with backoff inside a client-side rate
 * budget; a verified stale-timestamp challenge corrects the clock once. Failures are coded
 * `VigilError`s whose messages never contain the API key.
 */
export class ThreatStackClient {
  private readonly config: ResolvedConfig;
  private readonly runtime: ClientRuntime;
  private readonly nonce: () => string;
  private clockOffsetMs = 0;
  private readonly counters: ThreatStackClientStats = {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    rateLimitWaitMs: 0,
    budgetWaits: 0,
    budgetWaitMs: 0,
    clockCorrections: 0,
  };
  private readonly onWaitEvent: ((event: WaitEvent) => void) | undefined;

  /** The API key and the proxy password: blanked from every error message. */
  private readonly secrets: string[];

  constructor(config: ThreatStackClientConfig, deps: ThreatStackClientDeps = {}) {
    this.config = resolveConfig(config);
    this.secrets = clientSecrets(config.apiKey, config.proxy);
    this.nonce = deps.nonce ?? newNonce;
    this.onWaitEvent = deps.onWait;
    this.runtime = createClientRuntime(
      { ...this.config, proxy: config.proxy, dispatcher: config.dispatcher },
      deps,
    );
  }

  /** A copy of the request counters. */
  get stats(): ThreatStackClientStats {
    return { ...this.counters };
  }

  /** GET /help/hawk/self-test: proves the Hawk signature and clock (not the organization membership). */
  async selfTest(): Promise<void> {
    const target = '/help/hawk/self-test';
    parseWithSchema(selfTestSchema, await this.getJson(target), this.context('GET', target));
  }

  /** GET /v2/agents?status=…, one yield per page of (up to) 100 agents. */
  iterateAgents(status: 'online' | 'offline'): AsyncGenerator<TsAgent[]> {
    return this.paginate('/v2/agents', [['status', status]], 'agents', agentSchema);
  }

  /** GET /v2/aws/ec2, monitored instances then unmonitored ones (both values of `monitored`). */
  async *iterateEc2Instances(): AsyncGenerator<TsEc2Instance[]> {
    yield* this.paginate('/v2/aws/ec2', [['monitored', 'true']], 'servers', ec2InstanceSchema);
    yield* this.paginate('/v2/aws/ec2', [['monitored', 'false']], 'servers', ec2InstanceSchema);
  }

  /**
   * GET /v2/vulnerabilities (no filter, as the JupiterOne integration): every CVE currently found.
   * A page lists each CVE with all its agents, so one page can be tens of megabytes on a large
   * fleet: each yielded page parses one CVE at a time as it is iterated, never the whole page.
   * A page may be up to `maxVulnerabilityPageBytes`.
   */
  async *iterateVulnerabilities(): AsyncGenerator<Iterable<TsCve>> {
    let token: string | undefined;
    const seen = new Set<string>();
    const { guard, allowance } = this.listing('/v2/vulnerabilities');
    const { maxJsonDepth } = this.config.limits;
    for (;;) {
      const filters: QueryParams = token === undefined ? [] : [['token', token]];
      const target = pathWithQuery('/v2/vulnerabilities', filters);
      const context = this.context('GET', target);
      const maxBytes = this.config.maxVulnerabilityPageBytes;
      const response = await this.sendVerified('GET', target, { allowance, maxBytes });
      if (response === NOT_FOUND) return;
      if (exceedsJsonDepth(response.body, maxJsonDepth)) throw tooDeepResponse(context, maxJsonDepth);
      const split = splitTopLevelArray(response.body, 'cves');
      if (split === null) throw invalidResponse(context, 'expected an object with a "cves" array');
      guard.page(split.elements.length);
      yield parseElements(response.body, split.elements, cveSchema, context);
      token = nextPageToken(split.rest.token, seen, context);
      if (token === undefined) return;
    }
  }

  /** GET /v2/vulnerabilities/{cve}/servers; a 404 (unknown or no longer found CVE) yields no pages. */
  iterateVulnerableServers(cveNumber: string): AsyncGenerator<TsVulnerableServer[]> {
    const path = `/v2/vulnerabilities/${encodePathSegment(cveNumber)}/servers`;
    return this.paginate(path, [], 'servers', vulnerableServerSchema, { emptyOnNotFound: true });
  }

  /** GET /v2/alerts?status=…[&from=…][&until=…] in `createdAt` order; times are sent as ISO-8601 UTC. */
  iterateAlerts(filter: {
    status: 'active' | 'dismissed';
    from?: Date;
    until?: Date;
  }): AsyncGenerator<TsAlert[]> {
    const params: Array<[string, string]> = [['status', filter.status]];
    if (filter.from !== undefined) params.push(['from', filter.from.toISOString()]);
    if (filter.until !== undefined) params.push(['until', filter.until.toISOString()]);
    return this.paginate('/v2/alerts', params, 'alerts', alertSchema);
  }

  /** GET /v2/alerts/{id}; an unknown id is PROVIDER_NOT_FOUND. */
  async getAlert(id: string): Promise<TsAlert> {
    const target = `/v2/alerts/${encodePathSegment(id)}`;
    return parseWithSchema(alertSchema, await this.getJson(target), this.context('GET', target));
  }

  /** GET /v2/alerts/{id}/events (D7); a 404 is an empty list; a `token`, should one appear, is followed. */
  async listAlertEvents(alertId: string): Promise<TsAlertEvent[]> {
    const path = `/v2/alerts/${encodePathSegment(alertId)}/events`;
    const events: TsAlertEvent[] = [];
    for await (const page of this.paginate(path, [], 'events', alertEventSchema, { emptyOnNotFound: true })) {
      for (const event of page) events.push(event); // no spread: a page may be too long for the stack
    }
    return events;
  }

  /** POST /v2/alerts/dismiss by ids (JSON body, Hawk payload hash). */
  async dismissAlerts(request: DismissAlertsRequest): Promise<void> {
    await this.send('POST', '/v2/alerts/dismiss', { body: JSON.stringify(request) });
  }

  /** Closes the dispatcher if this client created it. */
  async close(): Promise<void> {
    if (this.runtime.ownsDispatcher) await this.runtime.dispatcher.close();
  }

  private async *paginate<T extends z.ZodType>(
    path: string,
    filters: QueryParams,
    key: string,
    item: T,
    options: { emptyOnNotFound?: boolean } = {},
  ): AsyncGenerator<z.infer<T>[]> {
    const schema = z.looseObject({ [key]: z.array(item), token: z.string().nullish() });
    const seen = new Set<string>();
    const { guard, allowance } = this.listing(pathWithQuery(path, filters));
    let token: string | undefined;
    for (;;) {
      const target = pathWithQuery(path, token === undefined ? filters : [...filters, ['token', token]]);
      const allowNotFound = options.emptyOnNotFound === true && token === undefined;
      const body = await this.send('GET', target, { allowNotFound, allowance });
      if (body === NOT_FOUND) return;
      const context = this.context('GET', target);
      const page = parseWithSchema(schema, body, context) as Record<string, unknown>;
      const items = page[key] as z.infer<T>[];
      guard.page(items.length);
      yield items;
      token = nextPageToken(page.token, seen, context);
      if (token === undefined) return;
    }
  }

  /** The page/item ceilings and the 429 wait allowance of one listing. */
  private listing(target: string) {
    return listingScope(this.config.limits, this.context('GET', target));
  }

  private getJson(target: string): Promise<unknown> {
    return this.send('GET', target);
  }

  /**
   * Sends one logical request: retried attempts, then — if the final answer is a 401 carrying a
   * verified server time — one clock correction and a second round. Returns the parsed JSON body
   * of a verified 2xx (or NOT_FOUND when allowed); throws the coded error otherwise.
   */
  private async send(method: string, target: string, options: SendOptions = {}): Promise<unknown> {
    const response = await this.sendVerified(method, target, options);
    return response === NOT_FOUND
      ? NOT_FOUND
      : parseJsonBody(response, this.context(method, target), this.config.limits.maxJsonDepth);
  }

  /** `send` without parsing: the verified 2xx response itself (or NOT_FOUND when allowed). */
  private async sendVerified(
    method: string,
    target: string,
    options: SendOptions = {},
  ): Promise<HttpResponse | typeof NOT_FOUND> {
    const context = this.context(method, target);
    const session: HawkSession = { artifacts: undefined };
    const request = { ...options, allowance: options.allowance ?? waitAllowance(this.config.limits) };
    let outcome = await this.attempts(method, target, request, session);
    if (
      outcome.kind === 'response' &&
      outcome.response.status === 401 &&
      this.correctClock(outcome.response)
    ) {
      outcome = await this.attempts(method, target, request, session);
    }
    if (outcome.kind === 'transport') throw networkError(outcome.error, context, outcome.attempts);
    const { response, attempts } = outcome;
    if (response.status >= 200 && response.status < 300) {
      this.verifyResponse(response, session, context);
      return response;
    }
    if (response.status === 404 && options.allowNotFound === true) return NOT_FOUND;
    const retryAfterMs = response.status === 429 ? readRateLimitReset(response) : undefined;
    throw responseError(response, context, attempts, retryAfterMs, outcome.waitRefused);
  }

  /**
   * Up to `maxAttempts` attempts of one request, each waiting for the budget and signed afresh;
   * a body over the route's limit is PROVIDER_RESPONSE_INVALID at once.
   */
  private async attempts(
    method: string,
    target: string,
    options: SendOptions & { allowance: WaitAllowance },
    session: HawkSession,
  ): Promise<RetryOutcome> {
    const maxBytes = options.maxBytes ?? this.config.limits.maxResponseBytes;
    try {
      return await withRetries(
        () => this.attemptOnce(method, target, options.body, session, maxBytes),
        { maxAttempts: this.config.maxAttempts, backoff: defaultBackoff, retryAfterMs: readRateLimitReset },
        {
          sleep: this.runtime.sleep,
          random: this.runtime.random,
          budget: this.runtime.budget,
          allowance: options.allowance,
          onRetry: (event) => this.onRetry(method, target, event),
          onWait: (reason, ms) => this.onWait(method, target, reason, ms),
        },
      );
    } catch (error) {
      if (error instanceof ResponseTooLargeError) throw tooLargeResponse(this.context(method, target), error);
      throw error;
    }
  }

  private async attemptOnce(
    method: string,
    target: string,
    body: string | undefined,
    session: HawkSession,
    maxBytes: number,
  ): Promise<HttpResponse> {
    const { header, artifacts } = this.sign(method, target, body);
    session.artifacts = artifacts;
    this.counters.requests++;
    const headers: Record<string, string> = { authorization: header, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const request = { method, origin: this.config.origin, path: target, headers };
    const response = await sendOnce(
      this.runtime.dispatcher,
      body === undefined ? request : { ...request, body },
      this.config.timeoutMs,
      maxBytes,
    );
    if (response.status === 429) this.counters.rateLimited++;
    return response;
  }

  private sign(method: string, target: string, body: string | undefined) {
    return signHawkRequest({
      credentials: { id: this.config.userId, key: this.config.apiKey },
      ext: this.config.orgId,
      method,
      host: this.config.host,
      port: this.config.port,
      resource: target,
      timestampSec: Math.floor((this.runtime.now() + this.clockOffsetMs) / 1000),
      nonce: this.nonce(),
      ...(body === undefined ? {} : { payload: { body, contentType: 'application/json' } }),
    });
  }

  private onRetry(method: string, target: string, event: RetryEvent): void {
    this.counters.retries++;
    this.runtime.logger?.debug({ method, path: target, ...event }, 'retrying Threat Stack request');
  }

  private onWait(method: string, path: string, reason: WaitReason, ms: number): void {
    countWait(this.counters, reason, ms);
    this.onWaitEvent?.({ reason, ms, method, path });
  }

  /** Adopts the server's clock from a verified `ts`/`tsm` challenge; false if there is none. */
  private correctClock(response: HttpResponse): boolean {
    const serverMs = verifiedServerTime(response.headers['www-authenticate'], {
      id: this.config.userId,
      key: this.config.apiKey,
    });
    if (serverMs === undefined) return false;
    this.clockOffsetMs = serverMs - this.runtime.now();
    this.counters.clockCorrections++;
    this.runtime.logger?.warn(
      { offsetMs: this.clockOffsetMs },
      "This machine's clock differs from Threat Stack's; correcting the Hawk timestamp",
    );
    return true;
  }

  private verifyResponse(response: HttpResponse, session: HawkSession, context: ProviderContext): void {
    if (!this.config.verifyResponses || session.artifacts === undefined) return;
    const problem = responseAuthenticationProblem(
      response.headers,
      response.body,
      { id: this.config.userId, key: this.config.apiKey },
      session.artifacts,
    );
    if (problem !== null) throw invalidResponse(context, `the response is not authentic (${problem})`);
  }

  private context(method: string, target: string): ProviderContext {
    return {
      service: 'Threat Stack',
      method,
      path: target,
      hints: this.config.hints,
      secrets: this.secrets,
    };
  }
}
