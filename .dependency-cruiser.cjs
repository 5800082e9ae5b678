/**
 * Import direction, checked in `npm test` (STYLE.md "import direction is checked by a tool").
 * core <- reference-impl <- clusters <- scripts; suites reach clusters only through the Cluster
 * interface (clusters/cluster.ts) and the provider registry (clusters/connect.ts); results read only
 * their own schema.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports make start-up order and ownership unclear.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-a-leaf',
      severity: 'error',
      comment: 'core/ holds errors, logging and Linux primitives; it imports no other top-level folder.',
      from: { path: '^core/' },
      to: { path: '^(clusters|reference-impl|suites|results|scripts)/' },
    },
    {
      name: 'reference-impl-stands-alone',
      severity: 'error',
      comment: 'The system under test never imports the harness (suites, clusters, results, scripts).',
      from: { path: '^reference-impl/' },
      to: { path: '^(clusters|suites|results|scripts)/' },
    },
    {
      name: 'suites-only-through-cluster-interface',
      severity: 'error',
      comment:
        'Suites reach a cluster only through clusters/cluster.ts and clusters/connect.ts, never a provider.',
      from: { path: '^suites/' },
      to: { path: '^clusters/', pathNot: '^clusters/(cluster|connect)\\.ts$' },
    },
    {
      name: 'suites-do-not-import-the-mesh',
      severity: 'error',
      comment: 'Suites test the mesh from outside: through the cluster and the mesh APIs, not its code.',
      from: { path: '^suites/' },
      to: { path: '^reference-impl/', pathNot: '^reference-impl/echo/response-format\\.ts$' },
    },
    {
      name: 'clusters-do-not-import-suites-or-results',
      severity: 'error',
      from: { path: '^clusters/' },
      to: { path: '^(suites|results|scripts)/' },
    },
    {
      name: 'results-read-only-their-schema',
      severity: 'error',
      comment: 'Results writers, the table and the charts depend only on the results schema.',
      from: { path: '^results/' },
      to: { path: '^(clusters|reference-impl|suites|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^node_modules|^results/runs)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
