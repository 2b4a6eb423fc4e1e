// The floors of issue 11 as dependency-cruiser rules: a module of sdk/ may import only from its own
// module or from a lower floor, and no file import cycle may exist. test/architecture.test.ts runs it.
//
// The floor table (also in the coordinator's HELPERS.md, "The floors"):
//   0 core/
//   1 frames/ report/ trace/ engine/ kube/
//   2 actuation/ replay/
//   3 cluster/ planner/
//   4 bench/ doe/ testbed/ peers/
//   5 cli/ sdk/index.ts
//
// Type-only imports COUNT: `tsPreCompilationDeps: true` keeps `import type` / `{ type X }` edges that
// the TypeScript compiler would erase, and no rule excludes the "type-only" dependency type. A type
// import still couples the floors (the lower module cannot be read, changed or published without the
// higher one), so it is held to the same rule as a value import.
//
// Imports that climb (none today) are listed in `options.knownViolations` below, one entry per edge,
// each named with the issue item that removes it. dependency-cruiser then reports them as "ignore" rather
// than "error"; the test fails on any other violation, and also when this list no longer matches
// what the cruise finds (fixing one forces deleting its entry; the list cannot silently grow).

/** Module folders per floor, lowest first. */
const FLOORS = [
  ["core"],
  ["frames", "report", "trace", "engine", "kube"],
  ["actuation", "replay"],
  ["cluster", "planner"],
  ["bench", "doe", "testbed", "peers"],
  ["cli"], // plus sdk/index.ts, the front door
];

const folderPattern = (names) => `^sdk/(${names.join("|")})/`;

/** One rule per floor below the top: nothing on it may import from any floor above it. */
const floorRules = FLOORS.slice(0, -1).map((names, floor) => {
  const higher = FLOORS.slice(floor + 1).flat();
  return {
    name: `floor-${floor}-not-upward`,
    comment: `floor ${floor} (${names.join(", ")}) may not import from a higher floor (${higher.join(", ")}, sdk/index.ts)`,
    severity: "error",
    from: { path: folderPattern(names) },
    to: { path: [folderPattern(higher), "^sdk/index\\.ts$"] },
  };
});

const knownRule = (name) => ({ name, severity: "error" });
const known = (from, to, floor) => ({ type: "dependency", from: `sdk/${from}`, to: `sdk/${to}`, rule: knownRule(`floor-${floor}-not-upward`) });

module.exports = {
  forbidden: [
    ...floorRules,
    {
      name: "no-circular",
      comment: "no import cycle, inside a module or between modules (a cycle makes the floors meaningless)",
      severity: "error",
      from: { path: "^sdk/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/" },
    // tsx runs the sources: `./x.js` specifiers must resolve to `./x.ts`, as tsconfig's NodeNext does.
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      extensions: [".ts", ".js", ".json"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
    // Empty since issue 11 moved the bench runner to sdk/bench/ and the diagnostics report to
    // sdk/planner/: every import points down. Add an entry only with a reason and an issue that removes it,
    // as known("kube/x.ts", "actuation/y.ts", 1).
    knownViolations: [
    ],
  },
};
