import { describe, expect, it } from 'vitest';
import { relationship } from './keys.ts';
import { type EntityVocabulary, graphEntities, graphRelationships } from './vocabulary.ts';

const entityTypeNames = new Set(Object.values(graphEntities).map((entity) => entity.type));

describe('graph vocabulary', () => {
  it('has the entity types, classes and keys of the design', () => {
    const table = Object.values(graphEntities).map((entity: EntityVocabulary<never>) => [
      entity.type,
      entity.class,
    ]);
    expect(table).toEqual([
      ['threatstack_account', 'Account'],
      ['threatstack_agent', 'HostAgent'],
      ['aws_instance', 'Host'],
      ['server', 'Host'],
      ['cve', 'Vulnerability'],
      ['threatstack_alert', 'Finding'],
      ['threatconnect_account', 'Account'],
      ['threatconnect_owner', 'Organization'],
      ['threatconnect_adversary', 'ThreatActor'],
      ['threatconnect_threat', 'Threat'],
      ['mitre_attack_technique', 'Technique'],
      ['network_device', 'Device'],
    ]);
    expect(graphEntities.cve.key('CVE-2018-19932')).toBe('cve-2018-19932');
    expect(graphEntities.threatconnectAccount.key('App.TC.example')).toBe(
      'threatconnect:account:app.tc.example',
    );
    expect(graphEntities.mitreAttackTechnique.key('t1566.001')).toBe('mitre:attack:T1566.001');
    expect(graphEntities.networkDevice.key('10.0.0.7')).toBe('device:10.0.0.7');
  });

  it('names every relationship type by the convention, between known entity types', () => {
    for (const spec of Object.values(graphRelationships)) {
      const built = relationship({ _key: 'a', _type: spec.from }, spec.class, { _key: 'b', _type: spec.to });
      expect(built._type).toBe(spec.type);
      expect(built._class).toBe(spec.class);
      expect(entityTypeNames.has(spec.from) && entityTypeNames.has(spec.to), spec.type).toBe(true);
    }
  });
});
