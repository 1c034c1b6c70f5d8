import { lookup } from 'node:dns/promises';
import { connect as connectTcp, isIP } from 'node:net';
import { checkServerIdentity, connect as connectTls, type PeerCertificate } from 'node:tls';
import type { CheckOutcome, ConnectivityStep } from './connectivity-types.ts';

/**
 * The network layers of the connectivity test, checked directly with node:dns, node:net and
 * node:tls before any HTTP call, so that a failure gets a precise code: DNS_FAILED,
 * TCP_UNREACHABLE or TLS_FAILED, naming the host and port (or the proxy) and what to fix.
 */

/** Host names to addresses; the default asks the system resolver, as the HTTP client does. */
export type Resolve = (host: string) => Promise<string[]>;

/** The first machine a request goes to: the vendor itself, or the proxy in front of it. */
export interface Hop {
  /** A host name or an address (IPv6 without brackets). */
  host: string;
  port: number;
  /** What it is, for messages: `the Threat Stack host`, or `the proxy http://***@proxy:3128`. */
  role: string;
  /** The settings to check when its name does not resolve, and when it cannot be reached. */
  settings: { name: string; address: string };
}

/** What the TLS layer trusts: the integration's CA file (else the system's) and its explicit switch. */
export interface TlsTrust {
  /** PEM text of the CA file (replacing the system CAs, as the HTTP client does), if one is set. */
  ca: string | undefined;
  caFile: string | null;
  insecureSkipVerify: boolean;
}

/** `getaddrinfo`, as node:net and undici use it (so /etc/hosts counts), every address. */
export const systemResolve: Resolve = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** An address or host with its port, IPv6 in brackets. */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

class LayerTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LayerTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

function dnsReason(error: unknown, timeoutMs: number): string {
  const code = errorCode(error);
  if (code === 'ENOTFOUND' || code === 'EAI_NONAME') return 'no such name in DNS (ENOTFOUND)';
  if (code === 'EAI_AGAIN') return 'the DNS server did not answer (EAI_AGAIN, a temporary failure)';
  if (code === 'ETIMEDOUT') return `no DNS answer within ${timeoutMs} ms`;
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** Resolves the hop's host; an address needs no lookup. */
export async function checkDns(
  hop: Hop,
  resolve: Resolve,
  timeoutMs: number,
): Promise<CheckOutcome & { addresses: string[] }> {
  if (isIP(hop.host) !== 0) {
    return { ok: true, detail: `${hop.host} is an address; nothing to resolve`, addresses: [hop.host] };
  }
  let addresses: string[] = [];
  let reason = 'it resolves to no address';
  try {
    addresses = await withTimeout(resolve(hop.host), timeoutMs);
  } catch (error) {
    reason = dnsReason(error, timeoutMs);
  }
  if (addresses.length > 0) {
    return { ok: true, detail: `${hop.host} resolves to ${addresses.join(', ')}`, addresses };
  }
  const message =
    `Cannot resolve ${hop.host} (${hop.role}): ${reason}. ` +
    `Check ${hop.settings.name} for a typing error, and this machine's DNS settings.`;
  return { ok: false, code: 'DNS_FAILED', detail: reason, message, addresses };
}

/** Opens (and closes) one TCP connection, within `timeoutMs`. */
function connectOnce(address: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new LayerTimeout(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

function tcpReason(error: unknown, timeoutMs: number): string {
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listens on that port)';
  if (code === 'ETIMEDOUT') return `timed out after ${timeoutMs} ms (a firewall may drop the packets)`;
  if (code === 'EHOSTUNREACH') return 'no route to the host (EHOSTUNREACH)';
  if (code === 'ENETUNREACH') return 'the network is unreachable (ENETUNREACH)';
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** Connects to each address in turn; the first that accepts is the one the TLS layer uses. */
export async function checkTcp(
  hop: Hop,
  addresses: readonly string[],
  timeoutMs: number,
): Promise<CheckOutcome & { address: string }> {
  const reasons: string[] = [];
  for (const address of addresses) {
    try {
      await connectOnce(address, hop.port, timeoutMs);
      return { ok: true, detail: `connected to ${hostPort(address, hop.port)}`, address };
    } catch (error) {
      reasons.push(
        addresses.length > 1 ? `${address}: ${tcpReason(error, timeoutMs)}` : tcpReason(error, timeoutMs),
      );
    }
  }
  const reason = reasons.join('; ');
  const message =
    `Cannot connect to ${hostPort(hop.host, hop.port)} (${hop.role}): ${reason}. ` +
    `Check ${hop.settings.address}, that it is up, and that no firewall blocks this machine.`;
  return { ok: false, code: 'TCP_UNREACHABLE', detail: reason, message, address: '' };
}

interface Handshake {
  protocol: string | null;
  certificate: PeerCertificate;
  /** Why the certificate is not trusted for the host (OpenSSL or Node code), or null. */
  problem: string | null;
}

/** One TLS handshake that verifies nothing itself, so the reason for a rejection can be told. */
function handshake(host: string, address: string, port: number, ca: string | undefined, timeoutMs: number) {
  return new Promise<Handshake>((resolve, reject) => {
    const socket = connectTls({
      host: address,
      port,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(ca === undefined ? {} : { ca }),
      rejectUnauthorized: false,
      checkServerIdentity: (_name, certificate) => checkServerIdentity(host, certificate),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new LayerTimeout(`no TLS handshake within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const problem = socket.authorized ? null : String(socket.authorizationError ?? 'UNKNOWN');
      resolve({ protocol: socket.getProtocol(), certificate: socket.getPeerCertificate(), problem });
      socket.destroy();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

/** OpenSSL's verdicts meaning "no trusted authority vouches for this certificate". */
export const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);

function nameOf(certificate: PeerCertificate): string {
  return certificate.subjectaltname ?? `CN=${certificate.subject?.CN ?? '?'}`;
}

/**
 * Says which certificate problem `code` is — untrusted, expired, not yet valid, name mismatch
 * (the reason says it in those words) — and what to do about it.
 */
export function describeCertificateProblem(
  code: string,
  host: string,
  certificate: PeerCertificate | undefined,
  trust: TlsTrust,
): { reason: string; fix: string } {
  if (code === 'CERT_HAS_EXPIRED') {
    const when = certificate?.valid_to ? ` on ${certificate.valid_to}` : '';
    return {
      reason: `the server's certificate expired${when}`,
      fix: "Renew the server's certificate, or check this machine's clock.",
    };
  }
  if (code === 'CERT_NOT_YET_VALID') {
    const when = certificate?.valid_from ? ` before ${certificate.valid_from}` : '';
    return {
      reason: `the server's certificate is not valid${when}`,
      fix: "Check this machine's clock.",
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = certificate === undefined ? 'another name' : nameOf(certificate);
    return {
      reason: `the server's certificate is for ${names}, not ${host} (name mismatch)`,
      fix: 'Set --host to a name the certificate lists, or give the server a certificate for this name.',
    };
  }
  if (UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    const issuer = certificate?.issuer?.CN ? ` (issued by CN=${certificate.issuer.CN})` : '';
    const signer =
      trust.caFile === null
        ? "none of this machine's trusted authorities signed it"
        : `no authority in the CA file ${trust.caFile} signed it`;
    return {
      reason: `the server's certificate${issuer} is untrusted: ${signer} (${code})`,
      fix:
        trust.caFile === null
          ? 'Give the CA that issued it with --ca-file PATH (or, in a lab only, --insecure-skip-verify).'
          : 'Point --ca-file at the CA that issued the certificate (or, in a lab only, --insecure-skip-verify).',
    };
  }
  return {
    reason: `the server's certificate was rejected (${code})`,
    fix: 'Check the certificate the server presents, or give its CA with --ca-file PATH.',
  };
}

function handshakeReason(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message)) {
    return 'the server does not speak TLS on this port (is it plain http? then set --protocol http)';
  }
  if (code === 'ECONNRESET' || /socket hang up|disconnected/i.test(message)) {
    return 'the server closed the connection during the TLS handshake';
  }
  return code === undefined ? message : `${message.replace(/\.$/, '')} (${code})`;
}

/** A TLS handshake with the vendor, judged as the HTTP client would judge it. */
export async function checkTls(
  hop: Hop,
  address: string,
  trust: TlsTrust,
  timeoutMs: number,
): Promise<CheckOutcome> {
  const where = hostPort(hop.host, hop.port);
  let result: Handshake;
  try {
    result = await handshake(hop.host, address, hop.port, trust.ca, timeoutMs);
  } catch (error) {
    const reason = error instanceof LayerTimeout ? error.message : handshakeReason(error);
    return {
      ok: false,
      code: 'TLS_FAILED',
      detail: reason,
      message: `TLS with ${where} failed: ${reason}.`,
    };
  }
  const summary = `${result.protocol ?? 'TLS'}, certificate for ${nameOf(result.certificate)} valid until ${result.certificate.valid_to}`;
  if (result.problem === null) {
    const via = trust.caFile === null ? '' : ` (trusted through ${trust.caFile})`;
    return { ok: true, detail: `${summary}, verified${via}` };
  }
  const problem = describeCertificateProblem(result.problem, hop.host, result.certificate, trust);
  if (trust.insecureSkipVerify) {
    return { ok: true, detail: `${summary}, NOT verified (--insecure-skip-verify): ${problem.reason}` };
  }
  return {
    ok: false,
    code: 'TLS_FAILED',
    detail: problem.reason,
    message: `TLS with ${where} failed: ${problem.reason}. ${problem.fix}`,
  };
}

/**
 * DNS, then TCP, then (for an https vendor reached directly) TLS, as steps of the test: each
 * uses what the one before found (the addresses, then the address that accepted).
 */
export function networkSteps(
  hop: Hop,
  tls: TlsTrust | null,
  deps: { resolve: Resolve; timeoutMs: number },
  prefix = '',
): ConnectivityStep[] {
  let addresses: string[] = [];
  let address = '';
  const steps: ConnectivityStep[] = [
    {
      name: `${prefix}dns`,
      run: async () => {
        const outcome = await checkDns(hop, deps.resolve, deps.timeoutMs);
        addresses = outcome.addresses;
        return outcome;
      },
    },
    {
      name: `${prefix}tcp`,
      run: async () => {
        const outcome = await checkTcp(hop, addresses, deps.timeoutMs);
        address = outcome.address;
        return outcome;
      },
    },
  ];
  if (tls !== null) {
    steps.push({ name: `${prefix}tls`, run: () => checkTls(hop, address, tls, deps.timeoutMs) });
  }
  return steps;
}
