/** The shapes of the layered connectivity test (C2), shared by its layers. */

/** The stable verdicts of `vigil integrations test`, in the order the layers are checked. */
export type ConnectivityCode =
  | 'CONFIG_INVALID'
  | 'DNS_FAILED'
  | 'TCP_UNREACHABLE'
  | 'TLS_FAILED'
  | 'AUTH_FAILED'
  | 'PERMISSION_DENIED'
  | 'RATE_LIMITED'
  | 'PROVIDER_ERROR'
  | 'OK';

/** One layer that was checked: `config`, `dns`, `tcp`, `tls` (`proxy-dns`, `proxy-tcp`), or an API request line. */
export interface ConnectivityCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ConnectivityResult {
  code: ConnectivityCode;
  /** What failed and what to fix; for OK, what was checked. Never a secret. */
  message: string;
  /** Every layer checked, in order; the last one failed unless the code is OK. */
  checks: ConnectivityCheck[];
  /** RATE_LIMITED only, when the vendor said: milliseconds until it admits a request again. */
  retryAfterMs?: number;
}

/** A layer's verdict: what it saw, or the code and message of its failure. */
export type CheckOutcome =
  | { ok: true; detail: string }
  | {
      ok: false;
      detail: string;
      code: Exclude<ConnectivityCode, 'OK'>;
      message: string;
      retryAfterMs?: number;
    };

/** One layer of the test; the test runs them in order and stops at the first failure. */
export interface ConnectivityStep {
  name: string;
  run(): Promise<CheckOutcome>;
}
