import type { AccountIdentity } from '../connectors/descriptor.ts';
import { connectorOf } from '../connectors/index.ts';
import { VigilError } from '../errors.ts';
import type { Integration, IntegrationConfig } from '../integrations/config.ts';
import type { IntegrationRegistry } from '../integrations/registry.ts';
import type { GraphStore } from '../store/types.ts';

/**
 * One owner for every graph row: a vendor account (a Threat Stack organization, a ThreatConnect
 * instance) is synced by one integration, whose id owns the account's rows. Another integration
 * of the same account would write nothing (the rows are not its own) and never delete what the
 * vendor dropped, so it is refused, or takes the rows over explicitly.
 */

/** Who owns an account's rows: a registered integration, or an id that no integration holds now. */
export type AccountOwner =
  | { kind: 'integration'; integration: Integration }
  | { kind: 'orphan'; integrationId: string }
  | { kind: 'none' };

/** The account a configuration reaches. */
export function accountOf(config: IntegrationConfig): AccountIdentity {
  return connectorOf(config.kind).account(config);
}

/**
 * The owner of the account, other than `exceptId`: an integration whose configuration reaches
 * the same account, else the integration id that owns the account's entity in the graph
 * (registered or not: rows of a removed integration, or of an environment sync of an older Vigil).
 */
export async function ownerOfAccount(
  registry: IntegrationRegistry,
  store: GraphStore,
  account: AccountIdentity,
  exceptId?: string,
): Promise<AccountOwner> {
  const integrations = (await registry.list()).filter((integration) => integration.id !== exceptId);
  const registered = integrations.find((integration) => accountOf(integration.config).id === account.id);
  if (registered !== undefined) return { kind: 'integration', integration: registered };
  const entity = await store.getEntity(account.entityKey);
  if (entity === undefined || entity.integrationId === exceptId) return { kind: 'none' };
  const holder = integrations.find((integration) => integration.id === entity.integrationId);
  return holder === undefined
    ? { kind: 'orphan', integrationId: entity.integrationId }
    : { kind: 'integration', integration: holder };
}

/** ACCOUNT_OWNED naming the account and its owner, with what to do. */
export function accountOwnedError(account: AccountIdentity, owner: Integration, wanted: string): VigilError {
  const via =
    owner.source === 'environment'
      ? `the environment sync integration ${owner.name} (\`vigil sync ${owner.kind}\`)`
      : `the integration ${owner.name}`;
  return new VigilError(
    'ACCOUNT_OWNED',
    `The account ${account.id} (${account.label}) is already synced by ${via}, which owns its graph rows; ${wanted} was not done.`,
    {
      hint: `Use \`vigil integrations sync ${owner.name}\`, or pass --take-over to transfer the account and its rows from ${owner.name}.`,
      details: { owner: owner.name, ownerId: owner.id, account: account.id },
    },
  );
}
