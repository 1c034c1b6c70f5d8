/**
 * The layer rules of ../shared/DESIGN.md ("Shape of the code"), checked by `npm test` (`npm run deps`).
 * Data flows one way: connector → sync engine → store → readers → app → surfaces. Each rule names the
 * boundary it keeps; a violation prints the offending import.
 */
const readers = '^src/(query|rules|validation|coverage|monitors)/';
const surfaces = '^src/(cli|server)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules form a tree of layers: an import cycle hides which one owns what.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'connectors-never-touch-the-store',
      severity: 'error',
      comment:
        'Connectors produce entities; only the sync engine writes them (DESIGN: connectors never touch the store).',
      from: { path: '^src/connectors/' },
      to: { path: '^src/(store|integrations|app|jobs|cli|server)/' },
    },
    {
      name: 'connectors-only-declare-steps',
      severity: 'error',
      comment: "A connector implements the engine's step interface (types only); it never runs the engine.",
      from: { path: '^src/connectors/' },
      to: { path: '^src/sync/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'readers-never-import-connectors-or-surfaces',
      severity: 'error',
      comment:
        'Readers depend on the graph vocabulary (src/graph), never on a vendor connector or a surface.',
      from: { path: readers },
      to: { path: '^src/(connectors|cli|server|app|jobs|simulators)/' },
    },
    {
      name: 'store-imports-nothing-above-it',
      severity: 'error',
      comment:
        'The store is the only module that knows the database; it may use the graph vocabulary and the query AST, nothing above.',
      from: { path: '^src/store/' },
      to: {
        path: '^src/(connectors|sync|integrations|app|jobs|cli|server|rules|validation|coverage|monitors|attack|simulators)/',
      },
    },
    {
      name: 'graph-is-the-bottom',
      severity: 'error',
      comment: 'The graph vocabulary knows no vendor, database or surface.',
      from: { path: '^src/graph/' },
      to: { path: '^src/(?!graph/)[^/]+/' },
    },
    {
      name: 'simulators-share-nothing-with-clients',
      severity: 'error',
      comment: 'A simulator is held to the spec, not to our client: it shares no code with Vigil proper.',
      from: { path: '^src/simulators/' },
      to: {
        path: '^src/(connectors|store|sync|integrations|app|jobs|attack|graph|query|rules|validation|coverage|server)/',
      },
    },
    {
      name: 'clients-share-nothing-with-simulators',
      severity: 'error',
      from: { path: '^src/(?!simulators/|cli/)' },
      to: { path: '^src/simulators/' },
    },
    {
      name: 'surfaces-never-speak-sql',
      severity: 'error',
      comment:
        'The CLI and the HTTP API call the application services; they never open the store themselves.',
      from: { path: surfaces },
      to: { path: '^src/store/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|\\.test\\.ts$|^src/.*/testing(/|\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
