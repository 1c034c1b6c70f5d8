import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  agentIdentifiedCve,
  normalizeHostname,
  stripCidr,
  toAgentEntity,
  toAlertEntity,
  toCveEntity,
  toProtectedHost,
} from './converters.ts';
import { agentSchema, alertSchema, cveSchema } from './types.ts';

const agent = agentSchema.parse(JSON.parse(readFileSync('test/fixtures/threatstack-agent.json', 'utf8')));

describe('Threat Stack converters', () => {
  it('normalises hostnames the JupiterOne way', () => {
    expect(normalizeHostname('Web-01.Internal.example.com')).toBe('web-01');
    expect(normalizeHostname('My Host_1.corp')).toBe('my-host1');
    expect(stripCidr('10.0.1.15/24')).toBe('10.0.1.15');
    expect(stripCidr('10.0.1.15')).toBe('10.0.1.15');
  });

  it('turns an agent into a HostAgent entity keyed by its id, raw object kept', () => {
    const entity = toAgentEntity(agent);
    expect(entity).toMatchObject({
      _key: 'threatstack:agent:3f0d2c1e-6b1a-11ee-9c61-0242ac120002',
      _type: 'threatstack_agent',
      _class: 'HostAgent',
      displayName: 'web-01',
    });
    expect(entity.properties).toMatchObject({
      active: true,
      hostname: 'web-01',
      fqdn: 'web-01.internal',
      privateIpAddress: '10.0.1.15',
      publicIpAddress: '54.12.34.56',
      isHealthy: true,
      createdOn: Date.parse('2023-10-11T14:02:03.117Z'),
      'tag.Name': 'web-01',
    });
    expect(entity.rawData).toEqual(agent);
  });

  it('leaves loopback addresses out of the agent, wherever the agent lists them', () => {
    expect(toAgentEntity(agent).properties.ipAddresses).toEqual(['10.0.1.15', '54.12.34.56']);
    const loopbackFirst = toAgentEntity({
      ...agent,
      ipAddresses: { private: ['127.0.0.1/8', '10.2.3.4/24', '::1/128', '127.0.1.1'], public: ['::1'] },
    });
    expect(loopbackFirst.properties).toMatchObject({
      ipAddresses: ['10.2.3.4'],
      privateIpAddress: '10.2.3.4',
      publicIpAddress: null,
    });
  });

  it('an EC2 agent PROTECTS its aws_instance; a non-EC2 agent PROTECTS a server by normalised hostname', () => {
    expect(toProtectedHost(agent)?.relationship).toMatchObject({
      _key: 'threatstack:agent:3f0d2c1e-6b1a-11ee-9c61-0242ac120002|protects|aws:instance:i-0abc123def4567890',
      _type: 'threatstack_agent_protects_aws_instance',
      _class: 'PROTECTS',
      toKey: 'aws:instance:i-0abc123def4567890',
    });
    expect(toProtectedHost(agent)?.entity).toBeNull();
    const onPrem = toProtectedHost({ ...agent, instanceId: null, hostname: 'DB-Prod-7.corp.local' });
    expect(onPrem?.entity).toMatchObject({ _key: 'server:db-prod-7', _type: 'server', _class: 'Host' });
    expect(onPrem?.relationship._type).toBe('threatstack_agent_protects_server');
    expect(toProtectedHost({ ...agent, instanceId: null, hostname: null })).toBeNull();
  });

  it('keys CVEs by lower-case id and carries the finding on the IDENTIFIED relationship', () => {
    const cve = cveSchema.parse({
      cveNumber: 'CVE-2018-19932',
      reportedPackage: 'binutils 2.25.1',
      systemPackage: 'binutils 2.25.1-31.base.66.amzn1.x86_64',
      vectorType: 'network',
      severity: 'medium',
      isSuppressed: false,
      agents: [{ agentId: 'a1', hostname: 'h1' }],
    });
    const entity = toCveEntity(cve);
    expect(entity).toMatchObject({
      _key: 'cve-2018-19932',
      _type: 'cve',
      _class: 'Vulnerability',
      displayName: 'CVE-2018-19932',
    });
    expect(entity.properties.webLink).toBe('https://nvd.nist.gov/vuln/detail/CVE-2018-19932');
    expect(entity.rawData).not.toHaveProperty('agents');
    expect(agentIdentifiedCve('a1', cve)).toMatchObject({
      _key: 'threatstack:agent:a1|identified|cve-2018-19932',
      _type: 'threatstack_agent_identified_cve',
      properties: {
        package: 'binutils 2.25.1',
        finding: 'binutils 2.25.1-31.base.66.amzn1.x86_64',
        severity: 'medium',
        vector: 'network',
        suppressed: false,
      },
    });
  });

  it('turns an alert into a Finding, accepting a numeric-string severity', () => {
    const alert = alertSchema.parse({
      id: '56fd65138c1e0c173af5a3de',
      title: 'Threat Intelligence Activity',
      createdAt: '2016-03-31T17:57:04.000Z',
      severity: '3',
      isDismissed: false,
      agentId: null,
      ruleId: 'r',
      rulesetId: 'rs',
    });
    expect(toAlertEntity(alert)).toMatchObject({
      _key: 'threatstack:alert:56fd65138c1e0c173af5a3de',
      _type: 'threatstack_alert',
      _class: 'Finding',
      properties: { severity: 3, open: true, agentId: null, createdOn: 1459447024000 },
    });
  });
});
