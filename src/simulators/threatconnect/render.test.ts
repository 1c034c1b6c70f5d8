import { describe, expect, it } from 'vitest';
import { attackTagName, tcDate } from './render.ts';

describe('ThreatConnect rendering', () => {
  it('formats dates as yyyy-MM-ddTHH:mm:ssZ in UTC without milliseconds', () => {
    expect(tcDate(Date.UTC(2017, 6, 13, 16, 43, 19, 999))).toBe('2017-07-13T16:43:19Z');
    expect(tcDate(0)).toBe('1970-01-01T00:00:00Z');
  });

  it.each([
    ['T1566', 'display', 'T1566 - Phishing'],
    ['T1566', 'bare', 'Phishing'],
    ['T1566', 'legacy', 'T1566 - Phishing - INI - ENT - ATT&CK'],
    ['T1499.004', 'display', 'T1499.004 - Endpoint Denial of Service: Application or System Exploitation'],
    ['T1059.001', 'bare', 'Command and Scripting Interpreter: PowerShell'],
    ['T1071.001', 'legacy', 'T1071.001 - Application Layer Protocol: Web Protocols - C&C - ENT - ATT&CK'],
  ] as const)('names %s in the %s style as %j (D5)', (id, style, expected) => {
    expect(attackTagName(id, style)).toBe(expected);
  });
});
