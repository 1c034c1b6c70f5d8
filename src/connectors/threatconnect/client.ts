import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { defaultBackoff } from '../http/backoff.ts';
import { type ClientLimits, type ListingGuard, listingScope, waitAllowance } from '../http/limits.ts';
import { pathWithQuery, type QueryParams } from '../http/path.ts';
import {
  invalidResponse,
  networkError,
  type ProviderContext,
  tooLargeResponse,
} from '../http/provider-errors.ts';
import { clientSecrets } from '../http/redaction.ts';
import { parseJsonBody, parseWithSchema } from '../http/response-body.ts';
import { type RetryEvent, type RetryOutcome, secondsHeader, withRetries } from '../http/retry.ts';
import { type ClientRuntime, createClientRuntime } from '../http/runtime.ts';
import { type HttpResponse, ResponseTooLargeError, sendOnce } from '../http/transport.ts';
import { countWait, type WaitAllowance, type WaitEvent, type WaitReason } from '../http/waits.ts';
import {
  envelopeFailureError,
  type FailedRequest,
  failureError,
  isPaginationRefusal,
} from './client-errors.ts';
import {
  groupId,
  LEGACY_RESULT_LIMIT,
  ownerParams,
  type ResolvedConfig,
  resolveConfig,
  type ThreatConnectClientDeps,
  type ThreatConnectClientStats,
} from './client-support.ts';
import { pageThrough, type V2Page } from './pagination.ts';
import { authorizationHeaders, timestampSecondsAt } from './signer.ts';
import {
  type TcAttribute,
  type TcGroup,
  type TcGroupDetail,
  type TcOwner,
  type TcTag,
  type TcUser,
  tcAttributeSchema,
  tcGroupDetailSchema,
  tcGroupSchema,
  tcOwnerSchema,
  tcResultCountSchema,
  tcTagSchema,
  tcUserSchema,
} from './types.ts';

export type { ThreatConnectClientDeps, ThreatConnectClientStats } from './client-support.ts';

/** The limits (`ClientLimits`) have defaults far above any real account. */
export interface ThreatConnectClientConfig extends Partial<ClientLimits> {
  /** `protocol://host[:port]`, e.g. `https://acme.threatconnect.com` (no path: see `apiRoot`). */
  baseUrl: string;
  /** The path between host and `/v2`: `''` or e.g. `/api` (`api`, `/api/` are the same). */
  apiRoot: string;
  accessId: string;
  apiKey: string;
  /** Per attempt: connect, headers and body together (default 30 000). */
  timeoutMs?: number;
  /** Attempts per request, the first included (default 6). */
  maxAttempts?: number;
  /** Page size (default and maximum 10 000); falls back to 500 for good on a legacy server's 400. */
  resultLimit?: number;
  /** Client-side budget per rolling minute; 0 (the default) = none. */
  requestsPerMinute?: number;
  /** `http(s)://[user:pass@]host:port`; ignored when `dispatcher` is given. */
  proxy?: string;
  /** A dispatcher to use instead of creating one (the caller then closes it). */
  dispatcher?: Dispatcher;
}

/** A request as the client issues it: a path under the API root, its parameters, and its owner scope. */
interface TcRequest {
  path: string;
  params: QueryParams;
  /** The owner name the request is scoped to (for messages); it is already in `params`. */
  owner?: string | undefined;
  /** A 404 ends the list quietly (the parent object vanished). */
  emptyOnNotFound?: boolean;
}

/** What one listing carries from page to page: its ceilings and its 429 wait allowance. */
interface ListingScope {
  guard: ListingGuard;
  allowance: WaitAllowance;
}

const NOT_FOUND = Symbol('not found');
const PAGINATION_REFUSED = Symbol('pagination refused');
const readRetryAfter = secondsHeader('retry-after');
const envelopeSchema = z.looseObject({
  status: z.string(),
  message: z.string().nullish(),
  data: z.unknown().optional(),
});

/**
 * The ThreatConnect REST API v2 client (spec: specs/threatconnect-api.md, "Conformance checklist
 * for clients"). Each request target is built once (`pathWithQuery`: API root, path, parameters in
 * order, every reserved character percent-encoded, spaces as `%20`), and that very string is both
 * signed and sent; every attempt is signed afresh with the current Timestamp. Lists page with
 * `resultStart`/`resultLimit` and are async iterators yielding one page at a time. 429 (after
 * `Retry-After`), 5xx and network failures are retried with backoff inside a client-side rate
 * budget; other 4xx never. Failures are coded `VigilError`s carrying the vendor's message and
 * never the API key.
 */
export class ThreatConnectClient {
  private readonly config: ResolvedConfig;
  private readonly runtime: ClientRuntime;
  private resultLimit: number;
  private readonly counters: ThreatConnectClientStats = {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    rateLimitWaitMs: 0,
    budgetWaits: 0,
    budgetWaitMs: 0,
    paginationFallbacks: 0,
  };
  private readonly onWaitEvent: ((event: WaitEvent) => void) | undefined;

  /** The API key and the proxy password: blanked from every error message. */
  private readonly secrets: string[];

  constructor(config: ThreatConnectClientConfig, deps: ThreatConnectClientDeps = {}) {
    this.config = resolveConfig(config);
    this.secrets = clientSecrets(config.apiKey, config.proxy);
    this.resultLimit = this.config.resultLimit;
    this.onWaitEvent = deps.onWait;
    this.runtime = createClientRuntime(
      { ...this.config, proxy: config.proxy, dispatcher: config.dispatcher },
      deps,
    );
  }

  /** A copy of the request counters. */
  get stats(): ThreatConnectClientStats {
    return { ...this.counters };
  }

  /** GET /v2/whoami: the API user; proves the host, API root, credentials and clock in one call. */
  async whoami(): Promise<TcUser> {
    return this.getOne({ path: '/v2/whoami', params: [] }, 'user', tcUserSchema);
  }

  /** GET /v2/owners, every page: the Organizations, Communities and Sources the API user can read. */
  async listOwners(): Promise<TcOwner[]> {
    return this.collect(this.paginate({ path: '/v2/owners', params: [] }, 'owner', tcOwnerSchema));
  }

  /**
   * GET /v2/groups/adversaries scoped to one owner (by name), with inline tags (ATT&CK included),
   * attributes and the additional fields; one yield per non-empty page. An unknown or inaccessible
   * owner is PROVIDER_PERMISSION_ERROR naming it.
   */
  iterateAdversaries(ownerName: string): AsyncGenerator<TcGroup[]> {
    const params: QueryParams = [
      ['owner', ownerName],
      ['includeTags', 'true'],
      ['includeAttributes', 'true'],
      ['includeAdditional', 'true'],
    ];
    return this.paginate(
      { path: '/v2/groups/adversaries', params, owner: ownerName },
      'adversary',
      tcGroupSchema,
    );
  }

  /** GET /v2/groups/adversaries/{id}?includeAdditional=true: the owner as an object; 404 is PROVIDER_NOT_FOUND. */
  async getAdversary(id: number): Promise<TcGroupDetail> {
    const path = `/v2/groups/adversaries/${groupId(id, 'adversary')}`;
    return this.getOne({ path, params: [['includeAdditional', 'true']] }, 'adversary', tcGroupDetailSchema);
  }

  /** GET /v2/groups/adversaries/{id}/attributes, every page; a vanished adversary (404) has none. */
  async listAdversaryAttributes(id: number): Promise<TcAttribute[]> {
    const path = `/v2/groups/adversaries/${groupId(id, 'adversary')}/attributes`;
    return this.collect(
      this.paginate({ path, params: [], emptyOnNotFound: true }, 'attribute', tcAttributeSchema),
    );
  }

  /** GET /v2/groups/adversaries/{id}/tags, every page (ATT&CK tags included); a vanished adversary (404) has none. */
  async listAdversaryTags(id: number): Promise<TcTag[]> {
    const path = `/v2/groups/adversaries/${groupId(id, 'adversary')}/tags`;
    return this.collect(this.paginate({ path, params: [], emptyOnNotFound: true }, 'tag', tcTagSchema));
  }

  /**
   * GET /v2/groups/adversaries/{id}/groups/threats[?owner=…]&includeTags=true: the threats
   * associated with an adversary, each with its tags; one yield per non-empty page. A 404 (the
   * adversary vanished between calls) yields no pages.
   */
  iterateAdversaryThreats(adversaryId: number, ownerName?: string): AsyncGenerator<TcGroup[]> {
    const path = `/v2/groups/adversaries/${groupId(adversaryId, 'adversary')}/groups/threats`;
    const params: QueryParams = [...ownerParams(ownerName), ['includeTags', 'true']];
    return this.paginate({ path, params, owner: ownerName, emptyOnNotFound: true }, 'threat', tcGroupSchema);
  }

  /** GET /v2/groups/threats/{id}/tags, every page; a vanished threat (404) has none. */
  async listThreatTags(threatId: number): Promise<TcTag[]> {
    const path = `/v2/groups/threats/${groupId(threatId, 'threat')}/tags`;
    return this.collect(this.paginate({ path, params: [], emptyOnNotFound: true }, 'tag', tcTagSchema));
  }

  /** Closes the dispatcher if this client created it. */
  async close(): Promise<void> {
    if (this.runtime.ownsDispatcher) await this.runtime.dispatcher.close();
  }

  private async collect<T>(pages: AsyncGenerator<T[]>): Promise<T[]> {
    const items: T[] = [];
    for await (const page of pages) {
      for (const item of page) items.push(item); // no spread: a page may be too long for the stack
    }
    return items;
  }

  /** A single object: `data[key]` of a successful answer. */
  private async getOne<T extends z.ZodType>(request: TcRequest, key: string, schema: T): Promise<z.infer<T>> {
    const target = this.target(request.path, request.params);
    const data = await this.getData(request, target, false, waitAllowance(this.config.limits));
    const parsed = parseWithSchema(
      z.looseObject({ data: z.looseObject({ [key]: schema }) }),
      { data },
      this.context(target),
    );
    return parsed.data[key] as z.infer<T>;
  }

  /** A v2 list, one yield per non-empty page (the stop rules are `pageThrough`'s). */
  private paginate<T extends z.ZodType>(
    request: TcRequest,
    key: string,
    item: T,
  ): AsyncGenerator<z.infer<T>[]> {
    const schema = z.looseObject({
      data: z.looseObject({ resultCount: tcResultCountSchema, [key]: z.array(item).nullish() }),
    });
    const listTarget = this.target(request.path, request.params);
    const scope = listingScope(this.config.limits, this.context(listTarget));
    return pageThrough((start) => this.fetchPage(request, key, schema, start, scope), {
      repeatedPage: (start) =>
        invalidResponse(
          this.context(listTarget),
          `the page at resultStart=${start} repeats the previous page`,
        ),
      contradiction: (start, resultCount, listed) =>
        invalidResponse(
          this.context(listTarget),
          `resultCount says ${resultCount} items but the page at resultStart=${start} ` +
            `${listed ? `lists none in "${key}"` : `has no "${key}" list`}; refusing to read that as an empty list`,
        ),
      endedShort: (read, total) =>
        this.runtime.logger?.warn(
          { path: listTarget, read, resultCount: total },
          'ThreatConnect ended a list with a short page before resultCount items (the data changed while paging?)',
        ),
    });
  }

  /**
   * The page at `start`, or null for an allowed 404. On the documented pagination 400 while asking
   * for more than 500, drops to `resultLimit=500` for the rest of this client's life and asks once more.
   */
  private async fetchPage<T>(
    request: TcRequest,
    key: string,
    schema: z.ZodType,
    start: number,
    scope: ListingScope,
  ): Promise<V2Page<T> | null> {
    for (;;) {
      const limit = this.resultLimit;
      const params: QueryParams = [
        ...request.params,
        ['resultStart', String(start)],
        ['resultLimit', String(limit)],
      ];
      const target = this.target(request.path, params);
      const data = await this.getData(request, target, limit > LEGACY_RESULT_LIMIT, scope.allowance);
      if (data === PAGINATION_REFUSED) {
        this.fallBackToLegacyLimit(target);
        continue;
      }
      if (data === NOT_FOUND) return null;
      const page = (
        parseWithSchema(schema, { data }, this.context(target)) as { data: Record<string, unknown> }
      ).data;
      const list = page[key] as T[] | null | undefined;
      const items = list ?? [];
      scope.guard.page(items.length);
      const resultCount = page.resultCount as number | undefined;
      return { items, listed: list !== undefined && list !== null, limit, resultCount };
    }
  }

  private fallBackToLegacyLimit(target: string): void {
    this.resultLimit = LEGACY_RESULT_LIMIT;
    this.counters.paginationFallbacks++;
    this.runtime.logger?.warn(
      { path: target, resultLimit: LEGACY_RESULT_LIMIT },
      'ThreatConnect refused the page size (a server from before the 10 000 limit); using resultLimit=500 from now on',
    );
  }

  /**
   * Sends one logical GET (retried attempts) and returns the envelope's `data` of a successful
   * answer, NOT_FOUND for an allowed 404, PAGINATION_REFUSED for an allowed pagination 400; any
   * other answer, and any 2xx whose `status` is not "Success", throws the coded error.
   */
  private async getData(
    request: TcRequest,
    target: string,
    allowPaginationRefusal: boolean,
    allowance: WaitAllowance,
  ): Promise<unknown | typeof NOT_FOUND | typeof PAGINATION_REFUSED> {
    const failed: FailedRequest = { context: this.context(target), owner: request.owner };
    const outcome = await this.attempts(target, allowance);
    if (outcome.kind === 'transport') throw networkError(outcome.error, failed.context, outcome.attempts);
    const { response, attempts } = outcome;
    if (response.status >= 200 && response.status < 300) return this.successData(response, failed);
    if (response.status === 404 && request.emptyOnNotFound === true) return NOT_FOUND;
    if (allowPaginationRefusal && isPaginationRefusal(response)) return PAGINATION_REFUSED;
    const retryAfterMs = response.status === 429 ? readRetryAfter(response) : undefined;
    throw failureError(response, failed, attempts, retryAfterMs, outcome.waitRefused);
  }

  /** Retried attempts of one GET; a body over `maxResponseBytes` is PROVIDER_RESPONSE_INVALID at once. */
  private async attempts(target: string, allowance: WaitAllowance): Promise<RetryOutcome> {
    try {
      return await withRetries(
        () => this.attemptOnce(target),
        { maxAttempts: this.config.maxAttempts, backoff: defaultBackoff, retryAfterMs: readRetryAfter },
        {
          sleep: this.runtime.sleep,
          random: this.runtime.random,
          budget: this.runtime.budget,
          allowance,
          onRetry: (event) => this.onRetry(target, event),
          onWait: (reason, ms) => this.onWait(target, reason, ms),
        },
      );
    } catch (error) {
      if (error instanceof ResponseTooLargeError) throw tooLargeResponse(this.context(target), error);
      throw error;
    }
  }

  private successData(response: HttpResponse, failed: FailedRequest): unknown {
    const json = parseJsonBody(response, failed.context, this.config.limits.maxJsonDepth);
    const envelope = parseWithSchema(envelopeSchema, json, failed.context);
    if (envelope.status !== 'Success') {
      throw envelopeFailureError(envelope.status, envelope.message ?? undefined, failed, response.status);
    }
    return envelope.data;
  }

  /** One attempt: signed now, over the exact target it sends. */
  private async attemptOnce(target: string): Promise<HttpResponse> {
    const auth = authorizationHeaders({
      pathAndQuery: target,
      method: 'GET',
      timestampSeconds: timestampSecondsAt(this.runtime.now()),
      accessId: this.config.accessId,
      apiKey: this.config.apiKey,
    });
    this.counters.requests++;
    const headers = { ...auth, Accept: 'application/json' };
    const response = await sendOnce(
      this.runtime.dispatcher,
      { method: 'GET', origin: this.config.origin, path: target, headers },
      this.config.timeoutMs,
      this.config.limits.maxResponseBytes,
    );
    if (response.status === 429) this.counters.rateLimited++;
    return response;
  }

  private onRetry(target: string, event: RetryEvent): void {
    this.counters.retries++;
    this.runtime.logger?.debug({ method: 'GET', path: target, ...event }, 'retrying ThreatConnect request');
  }

  private onWait(path: string, reason: WaitReason, ms: number): void {
    countWait(this.counters, reason, ms);
    this.onWaitEvent?.({ reason, ms, method: 'GET', path });
  }

  /** The request target, built once: API root + path + parameters, as signed and sent. */
  private target(path: string, params: QueryParams): string {
    return pathWithQuery(`${this.config.apiRoot}${path}`, params);
  }

  private context(target: string): ProviderContext {
    return {
      service: 'ThreatConnect',
      method: 'GET',
      path: target,
      hints: this.config.hints,
      secrets: this.secrets,
    };
  }
}
