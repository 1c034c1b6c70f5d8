import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRow } from '../../../src/connectors/threatstack/agents-export.ts';
import {
  isLoopbackAddress,
  stripCidr,
  toAgentEntity,
} from '../../../src/connectors/threatstack/converters.ts';
import { agentSchema } from '../../../src/connectors/threatstack/types.ts';
import { type SimHarness, startSim } from '../../helpers/threatstack.ts';

type Agent = Record<string, unknown> & {
  id: string;
  ipAddresses: { private: string[]; link_local: string[]; public: string[] };
};
type Rule = { id: string; name: string; suppressions: string[] };
type Ruleset = { id: string; name: string };

const LOOPBACK = ['127.0.0.1/8', '::1/128'];

async function allAgents(h: SimHarness): Promise<Agent[]> {
  const online = await h.listAll<Agent>('/v2/agents?status=online', 'agents');
  const offline = await h.listAll<Agent>('/v2/agents?status=offline', 'agents');
  return [...online.items, ...offline.items];
}

async function allRules(h: SimHarness): Promise<Array<Rule & { ruleset: string }>> {
  const { items: rulesets } = await h.listAll<Ruleset>('/v2/rulesets', 'rulesets');
  const rules = [];
  for (const ruleset of rulesets) {
    const { items } = await h.listAll<Rule>(`/v2/rulesets/${ruleset.id}/rules`, 'rules');
    rules.push(...items.map((rule) => ({ ...rule, ruleset: ruleset.name })));
  }
  return rules;
}

describe("Threat Stack simulator: the cases the vendor's scripts special-case", () => {
  let h: SimHarness;
  let twin: SimHarness;
  beforeAll(async () => {
    h = await startSim({ agents: 400 });
    twin = await startSim({ agents: 400 });
  });
  afterAll(async () => {
    await h.close();
    await twin.close();
  });

  it('a small share of CIDR-reporting agents list 127.0.0.1/8 and ::1/128, the same ones for the same seed', async () => {
    const agents = await allAgents(h);
    const withCidr = agents.filter((a) => a.ipAddresses.private.some((ip) => ip.includes('/')));
    const withLoopback = agents.filter((a) => LOOPBACK.every((ip) => a.ipAddresses.private.includes(ip)));
    expect(withLoopback.length).toBeGreaterThan(0);
    expect(withLoopback.length / withCidr.length).toBeLessThan(0.3);
    for (const agent of withLoopback) expect(withCidr).toContain(agent);
    const twinIds = (await allAgents(twin))
      .filter((a) => a.ipAddresses.private.includes('127.0.0.1/8'))
      .map((a) => a.id);
    expect(twinIds).toEqual(withLoopback.map((a) => a.id));
  });

  it('the graph converter and the GetAllAgents export leave loopback addresses out', async () => {
    for (const raw of await allAgents(h)) {
      const properties = toAgentEntity(agentSchema.parse(raw)).properties;
      const addresses = properties.ipAddresses as string[];
      expect(addresses.length).toBeGreaterThan(0);
      expect(addresses.filter(isLoopbackAddress)).toEqual([]);
      expect(isLoopbackAddress(String(properties.privateIpAddress))).toBe(false);
      expect(properties.privateIpAddress).toBe(
        stripCidr(raw.ipAddresses.private.find((ip) => !LOOPBACK.includes(ip)) ?? ''),
      );
      const exported = agentRow(raw).cells[9] ?? '';
      for (const ip of LOOPBACK) expect(exported).not.toContain(ip);
    }
  });

  it('a few rules carry suppressions, never a detection rule, the same ones for the same seed', async () => {
    const rules = await allRules(h);
    const suppressed = rules.filter((r) => r.suppressions.length > 0);
    expect(suppressed.length).toBe(3);
    expect(suppressed.length / rules.length).toBeLessThan(0.25);
    for (const rule of suppressed) {
      expect(rule.ruleset).not.toBe('ATT&CK Detection Rule Set');
      for (const expression of rule.suppressions) expect(expression).toMatch(/^\w+ = "[^"]+"/);
    }
    const twinSuppressed = (await allRules(twin)).filter((r) => r.suppressions.length > 0);
    expect(twinSuppressed.map((r) => [r.id, r.suppressions])).toEqual(
      suppressed.map((r) => [r.id, r.suppressions]),
    );
  });
});
