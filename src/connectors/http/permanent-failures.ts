/**
 * Failures below HTTP that another attempt cannot fix: the name does not resolve, nothing
 * listens on the port, or TLS refuses the peer. Retrying them only delays the error a user must
 * act on (a closed port used to cost six attempts and nearly two minutes per step).
 */

/** Error codes of a name that does not resolve. */
export const DNS_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

/** What a permanent failure is, in a few words for messages. */
export type PermanentFailure = 'dns' | 'refused' | 'tls';

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** The error and its causes (`cause`, and the `errors` of an AggregateError), breadth first. */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && chain.length < 20) {
    const next = pending.shift();
    if (next === undefined || next === null || chain.includes(next)) continue;
    chain.push(next);
    const { cause, errors } = next as { cause?: unknown; errors?: unknown };
    if (cause !== undefined) pending.push(cause);
    if (Array.isArray(errors)) for (const inner of errors) pending.push(inner);
  }
  return chain;
}

function classify(code: string): PermanentFailure | undefined {
  if (DNS_CODES.has(code)) return 'dns';
  if (code === 'ECONNREFUSED') return 'refused';
  if (TLS_CODES.has(code) || /^(CERT_|ERR_TLS_|ERR_SSL_)/.test(code)) return 'tls';
  return undefined;
}

/** Which permanent failure an error (or any of its causes) is, if any. */
export function permanentFailureOf(error: unknown): PermanentFailure | undefined {
  for (const cause of causeChain(error)) {
    const kind = classify(codeOf(cause));
    if (kind !== undefined) return kind;
  }
  return undefined;
}
