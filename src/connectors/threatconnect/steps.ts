import type { AttackCatalogue } from '../../attack/catalogue.ts';
import type { IntegrationStep, StepContext } from '../../sync/types.ts';
import {
  accountHasOwner,
  adversaryKey,
  adversaryUsesThreat,
  type ClassifiedTags,
  classifyTags,
  ownerOwnsAdversary,
  tcRelationshipTypes,
  tcTypes,
  threatKey,
  toAccountEntity,
  toAdversaryEntity,
  toOwnerEntity,
  toTechniqueEntity,
  toThreatEntity,
  usesTechnique,
} from './converters.ts';
import type { TcAttribute, TcGroup, TcOwner, TcTag } from './types.ts';

/** What the steps need from a ThreatConnect client (ThreatConnectClient provides it). */
export interface ThreatConnectReader {
  /** Proves the host, API root, credentials and clock (the account step's call). */
  whoami(): Promise<unknown>;
  listOwners(): Promise<TcOwner[]>;
  iterateAdversaries(ownerName: string): AsyncGenerator<TcGroup[]>;
  listAdversaryAttributes(id: number): Promise<TcAttribute[]>;
  listAdversaryTags(id: number): Promise<TcTag[]>;
  iterateAdversaryThreats(adversaryId: number, ownerName?: string): AsyncGenerator<TcGroup[]>;
  listThreatTags(threatId: number): Promise<TcTag[]>;
}

export interface ThreatConnectSyncConfig {
  /** The FQDN of the instance (the account's key). */
  host: string;
  catalogue: AttackCatalogue;
}

export const tcStepIds = {
  account: 'fetch-account',
  owners: 'fetch-owners',
  adversaries: 'fetch-adversaries',
  threats: 'fetch-threats',
} as const;

type Step = IntegrationStep<ThreatConnectReader>;
type Context = StepContext<ThreatConnectReader>;

/** Writes the technique entities and USES relationships a group's ATT&CK tags name. */
async function writeTechniques(
  context: Context,
  from: { _key: string; _type: string },
  tags: ClassifiedTags,
  catalogue: AttackCatalogue,
): Promise<void> {
  if (tags.techniques.length === 0) return;
  await context.writer.entities(tags.techniques.map((t) => toTechniqueEntity(t.id, catalogue)));
  await context.writer.relationships(tags.techniques.map((t) => usesTechnique(from, t)));
}

/**
 * The ThreatConnect sync (C7): account; owners; each owner's adversaries with attributes and tags;
 * each adversary's associated threats with their tags; ATT&CK techniques from tags (ids by regex,
 * bare names through the catalogue). The owner and adversary lists found by earlier steps are
 * handed to later ones in memory (ids only), so no step reads the graph.
 */
export function threatConnectSteps(config: ThreatConnectSyncConfig): Step[] {
  const owners: TcOwner[] = [];
  const adversaries: Array<{ id: number; ownerName: string }> = [];
  const { catalogue } = config;
  return [
    {
      id: tcStepIds.account,
      name: 'Account',
      entityTypes: [tcTypes.account],
      relationshipTypes: [],
      dependsOn: [],
      // Written only once the instance answered as ThreatConnect with these credentials (whoami),
      // so a sync that reached nothing creates no account; every other step waits on it.
      async execute(context) {
        await context.client.whoami();
        await context.writer.entities([toAccountEntity(config.host)]);
        context.progress(1);
      },
    },
    {
      id: tcStepIds.owners,
      name: 'Owners',
      entityTypes: [tcTypes.owner],
      relationshipTypes: [tcRelationshipTypes.accountHasOwner],
      dependsOn: [tcStepIds.account],
      async execute(context) {
        owners.splice(0, owners.length, ...(await context.client.listOwners()));
        await context.writer.entities(owners.map(toOwnerEntity));
        await context.writer.relationships(owners.map((owner) => accountHasOwner(config.host, owner)));
        context.progress(owners.length);
      },
    },
    {
      id: tcStepIds.adversaries,
      name: 'Threat actors',
      entityTypes: [tcTypes.adversary, tcTypes.technique],
      relationshipTypes: [tcRelationshipTypes.ownerOwnsAdversary, tcRelationshipTypes.adversaryUsesTechnique],
      dependsOn: [tcStepIds.owners],
      async execute(context) {
        adversaries.length = 0;
        for (const owner of owners) {
          for await (const page of context.client.iterateAdversaries(owner.name)) {
            for (const group of page) {
              // Inline `tag`/`attribute` arrays may be left out when empty: ask for them then.
              const tags = classifyTags(
                group.tag ?? (await context.client.listAdversaryTags(group.id)),
                catalogue,
              );
              const attributes = group.attribute ?? (await context.client.listAdversaryAttributes(group.id));
              await context.writer.entities([toAdversaryEntity(group, attributes, tags)]);
              await context.writer.relationships([ownerOwnsAdversary(owner, group.id)]);
              await writeTechniques(
                context,
                { _key: adversaryKey(group.id), _type: tcTypes.adversary },
                tags,
                catalogue,
              );
              adversaries.push({ id: group.id, ownerName: owner.name });
            }
            context.progress(page.length);
          }
        }
      },
    },
    {
      id: tcStepIds.threats,
      name: 'Threats and ATT&CK techniques',
      entityTypes: [tcTypes.threat, tcTypes.technique],
      relationshipTypes: [tcRelationshipTypes.adversaryUsesThreat, tcRelationshipTypes.threatUsesTechnique],
      dependsOn: [tcStepIds.adversaries],
      async execute(context) {
        const written = new Set<number>();
        for (const adversary of adversaries) {
          for await (const page of context.client.iterateAdversaryThreats(
            adversary.id,
            adversary.ownerName,
          )) {
            for (const group of page) {
              await context.writer.relationships([adversaryUsesThreat(adversary.id, group.id)]);
              // A threat shared by several actors is converted (and its tags fetched) once.
              if (written.has(group.id)) continue;
              written.add(group.id);
              const tags = classifyTags(
                group.tag ?? (await context.client.listThreatTags(group.id)),
                catalogue,
              );
              await context.writer.entities([toThreatEntity(group, tags)]);
              await writeTechniques(
                context,
                { _key: threatKey(group.id), _type: tcTypes.threat },
                tags,
                catalogue,
              );
            }
          }
          context.progress(1);
        }
      },
    },
  ];
}
