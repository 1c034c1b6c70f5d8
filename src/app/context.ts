import type { StepDeps } from '../connectors/descriptor.ts';
import type { IntegrationRegistry } from '../integrations/registry.ts';
import type { GraphStore } from '../store/types.ts';
import type { VigilSettings } from './settings.ts';

/** What every service of an open Vigil shares. */
export interface AppContext {
  settings: VigilSettings;
  store: GraphStore;
  registry: IntegrationRegistry;
  stepDeps: StepDeps;
  now: () => Date;
}
