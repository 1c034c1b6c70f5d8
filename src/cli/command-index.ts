import type { Command } from '@commander-js/extra-typings';

/** How a command module adds its commands to the `vigil` program. */
export type RegisterCommands = (program: Command) => void;

/** A top-level command as `vigil --help` lists it: its name, its usage term, its description. */
export interface TopLevelCommand {
  name: string;
  /** What commander prints in the left column, e.g. `query [options] <j1ql>`. */
  term: string;
  description: string;
}

/** A module of src/cli/, loaded only when one of its commands runs or its usage is asked for. */
export interface CommandModule {
  /** The top-level commands it creates, in the order `vigil --help` lists them. */
  commands: readonly TopLevelCommand[];
  /** Groups created by an earlier module that it adds subcommands to (`agents list`). */
  joins?: readonly string[];
  load: () => Promise<RegisterCommands>;
}

const command = (name: string, term: string, description: string): TopLevelCommand => ({
  name,
  term,
  description,
});

/**
 * Every command module, in registration order, with the help line of each top-level command it
 * creates — so that `vigil --help` lists every command without loading any module (their imports
 * reach zod, the connectors and the store: most of start-up time; issue 11), and a command loads
 * only the module(s) that define it. test/cli/command-index.test.ts checks that these lines are
 * exactly what the modules register.
 */
export const commandModules: readonly CommandModule[] = [
  {
    commands: [command('sync', 'sync', 'Sync a vendor account named by its environment variables')],
    load: async () => (await import('./sync.ts')).registerSyncCommands,
  },
  {
    commands: [command('graph', 'graph', 'Inspect the entity/relationship graph')],
    load: async () => (await import('./graph.ts')).registerGraphCommands,
  },
  {
    commands: [command('agents', 'agents', 'Threat Stack agents from the live API')],
    load: async () => (await import('./agents.ts')).registerAgentsCommands,
  },
  {
    commands: [command('actors', 'actors', 'Threat actors synced from ThreatConnect')],
    load: async () => (await import('./actors.ts')).registerActorsCommands,
  },
  {
    commands: [
      command(
        'simulate',
        'simulate',
        'Run a local simulator of a vendor API (for tests, demos and benchmarks)',
      ),
    ],
    load: async () => (await import('./simulate.ts')).registerSimulateCommands,
  },
  {
    commands: [
      command(
        'demo',
        'demo [options]',
        'Run the whole loop on local simulators: sync both vendors, run a validation campaign for a threat actor, serve the UI (Ctrl-C stops everything)',
      ),
    ],
    load: async () => (await import('./demo.ts')).registerDemoCommand,
  },
  {
    commands: [command('attack', 'attack', 'The MITRE ATT&CK Enterprise technique catalogue')],
    load: async () => (await import('./attack.ts')).registerAttackCommands,
  },
  {
    commands: [
      command(
        'integrations',
        'integrations',
        'Manage integrations (threatstack, threatconnect): add, list, show, update, remove, test, sync',
      ),
    ],
    load: async () => (await import('./integrations.ts')).registerIntegrationsCommands,
  },
  {
    commands: [],
    joins: ['integrations'],
    load: async () => (await import('./webhook.ts')).registerWebhookCommand,
  },
  {
    commands: [command('runs', 'runs', 'Sync run history: status, step results, changes per type')],
    load: async () => (await import('./runs.ts')).registerRunsCommands,
  },
  {
    commands: [
      command(
        'serve',
        'serve [options]',
        'Run the service until Ctrl-C: the HTTP API (tokens: `vigil tokens`), the Threat Stack webhook intake, and due syncs on schedule (in this process on SQLite, through the shared job queue on PostgreSQL)',
      ),
      command(
        'worker',
        'worker [options]',
        'Run due syncs from the job queue shared by every worker on PostgreSQL, until Ctrl-C',
      ),
    ],
    load: async () => (await import('./serve.ts')).registerServeCommands,
  },
  {
    commands: [command('export', 'export', 'Threat-informed coverage for other tools')],
    load: async () => (await import('./export.ts')).registerExportCommands,
  },
  {
    commands: [
      command(
        'coverage',
        'coverage [options]',
        'threat-informed coverage: an actor’s techniques × latest validation verdicts, or every actor',
      ),
    ],
    load: async () => (await import('./coverage.ts')).registerCoverageCommand,
  },
  {
    commands: [command('tokens', 'tokens', 'API tokens for the HTTP API (roles viewer < operator < admin)')],
    load: async () => (await import('./tokens.ts')).registerTokensCommands,
  },
  {
    commands: [
      command('rules', 'rules', 'Alert rules: saved J1QL queries that fire actions'),
      command('rule-alerts', 'rule-alerts', 'Alerts raised by alert rules'),
    ],
    load: async () => (await import('./rules.ts')).registerRulesCommands,
  },
  {
    commands: [
      command(
        'monitors',
        'monitors',
        'Monitors: techniques validated on an interval; a verdict that gets worse raises a drift alert',
      ),
    ],
    load: async () => (await import('./monitors.ts')).registerMonitorCommands,
  },
  {
    commands: [
      command(
        'query',
        'query [options] <j1ql>',
        `Ask the graph in J1QL, e.g. vigil query "FIND threatstack_agent WITH status = 'offline'"`,
      ),
    ],
    load: async () => (await import('./query.ts')).registerQueryCommand,
  },
  {
    commands: [
      command('cves', 'cves', 'CVEs found on agents'),
      command('alerts', 'alerts', 'Threat Stack alerts in the graph (synced or received by webhook)'),
      command(
        'hosts',
        'hosts [options]',
        'Which hosts have a CVE: the agents it was found on and the hosts they protect',
      ),
    ],
    joins: ['agents'],
    load: async () => (await import('./reading.ts')).registerReadingCommands,
  },
  {
    commands: [
      command(
        'validate',
        'validate',
        'detection validation: actions looked for in Threat Stack, with verdicts',
      ),
    ],
    load: async () => (await import('./validate.ts')).registerValidateCommands,
  },
  {
    commands: [
      command(
        'info',
        'info [options]',
        'Where Vigil keeps its state: the home, the database, the secret key and the ATT&CK catalogue',
      ),
    ],
    load: async () => (await import('./info.ts')).registerInfoCommand,
  },
];

/** Whether `module` defines or joins the top-level command `name`. */
export function moduleServes(module: CommandModule, name: string): boolean {
  return module.commands.some((entry) => entry.name === name) || (module.joins ?? []).includes(name);
}
