import { describe, expect, it } from 'vitest';
import { typesReadBy } from './types-read.ts';

const sorted = (read: ReadonlySet<string> | 'all') => (read === 'all' ? read : [...read].sort());

describe('typesReadBy', () => {
  it('reads the FIND type alone', () => {
    expect(sorted(typesReadBy('FIND threatstack_agent WITH active = true'))).toEqual(['threatstack_agent']);
  });

  it('reads both ends and the relationship types of the verb', () => {
    expect(sorted(typesReadBy('FIND threatstack_agent THAT IDENTIFIED cve'))).toEqual([
      'cve',
      'threatstack_agent',
      'threatstack_agent_identified_cve',
    ]);
  });

  it('resolves a class to the vocabulary types that carry it', () => {
    expect(sorted(typesReadBy('FIND HostAgent THAT PROTECTS Host'))).toEqual([
      'aws_instance',
      'server',
      'threatstack_agent',
      'threatstack_agent_protects_aws_instance',
      'threatstack_agent_protects_server',
    ]);
  });

  it('reads every relationship type of each alternative verb, negated steps included', () => {
    expect(
      sorted(typesReadBy('FIND threatconnect_adversary THAT !(OWNS|USES) mitre_attack_technique')),
    ).toEqual([
      'mitre_attack_technique',
      'threatconnect_adversary',
      'threatconnect_adversary_uses_mitre_attack_technique',
      'threatconnect_adversary_uses_threatconnect_threat',
      'threatconnect_owner_owns_threatconnect_adversary',
      'threatconnect_threat_uses_mitre_attack_technique',
    ]);
  });

  it("is 'all' for * and for a class the vocabulary does not know", () => {
    expect(typesReadBy('FIND *')).toBe('all');
    expect(typesReadBy('FIND threatstack_agent THAT IDENTIFIED *')).toBe('all');
    expect(typesReadBy('FIND Firewall')).toBe('all');
  });

  it('rejects a query that does not parse with QUERY_INVALID', () => {
    expect(() => typesReadBy('FIND')).toThrow(expect.objectContaining({ code: 'QUERY_INVALID' }));
  });
});
