import { VigilError } from '../errors.ts';
import type { Connector } from './descriptor.ts';
import { threatConnect } from './threatconnect/index.ts';
import { threatStack } from './threatstack/index.ts';

/** Every connector Vigil has; a new vendor is one folder and one line here. */
export const connectors: readonly Connector[] = [threatStack, threatConnect];

/** The kinds of integration, in the order of `connectors`. */
export const connectorKinds: readonly string[] = connectors.map((connector) => connector.kind);

/** The connector of a kind; INPUT_INVALID naming the kinds there are otherwise. */
export function connectorOf(kind: string): Connector {
  const connector = connectors.find((candidate) => candidate.kind === kind);
  if (connector === undefined) {
    throw new VigilError(
      'INPUT_INVALID',
      `There is no integration kind '${kind}'; the kinds are ${connectorKinds.join(', ')}.`,
    );
  }
  return connector;
}
