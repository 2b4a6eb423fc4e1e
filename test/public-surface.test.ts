// The public surface: the front door (sdk/index.ts) and every subpath of package.json's "exports" —
// their names against the committed list test/public-surface.txt, the namespaces against the
// subpaths, and no `any` anywhere in their signatures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import ts from "typescript";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { name: string; exports: Record<string, string> };
/** Entry points: the import specifier (`actuation-lab`, `actuation-lab/replay`, …) → its file. */
const entries = Object.entries(pkg.exports).map(([sub, file]) => ({ spec: sub === "." ? pkg.name : `${pkg.name}/${sub.slice(2)}`, file: file.replace(/^\.\//, "") }));
const LIST = "test/public-surface.txt";

const program = ts.createProgram(entries.map((e) => e.file), {
  module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, skipLibCheck: true, types: ["node"],
});
const checker = program.getTypeChecker();
const exportsOf = (file: string) => checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!);
const resolved = (sym: ts.Symbol) => (sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym);
const kindOf = (sym: ts.Symbol) => {
  const t = resolved(sym);
  // A module of ours re-exported whole is a namespace; a third-party one (Plot) counts as a value.
  const ours = !t.declarations?.[0]?.getSourceFile().fileName.includes("/node_modules/");
  return t.flags & ts.SymbolFlags.ValueModule && ours ? "namespace" : t.flags & ts.SymbolFlags.Value ? "value" : "type";
};

/** One line per exported name: `specifier name kind`, sorted — what test/public-surface.txt holds. */
function surfaceLines(): string[] {
  const lines: string[] = [];
  for (const e of entries) for (const sym of exportsOf(e.file)) lines.push(`${e.spec} ${sym.name} ${kindOf(sym)}`);
  return lines.sort();
}

// An export added, removed or renamed must be a decision: the list changes in the same commit.
// Regenerate on purpose with: ACTLAB_UPDATE_SURFACE=1 node --import tsx --test test/public-surface.test.ts
test("the exported names of the front door and each subpath are the committed list", () => {
  const lines = surfaceLines();
  if (process.env.ACTLAB_UPDATE_SURFACE === "1") writeFileSync(LIST, lines.join("\n") + "\n");
  const committed = readFileSync(LIST, "utf8").split("\n").filter(Boolean);
  const added = lines.filter((l) => !committed.includes(l));
  const removed = committed.filter((l) => !lines.includes(l));
  assert.deepEqual({ added, removed }, { added: [], removed: [] }, `the public surface changed; if on purpose, regenerate ${LIST} (see this test's header)`);
});

test("the front door is small: about 25 verbs plus one namespace per module, no name exported twice across subpaths by the root", () => {
  const root = exportsOf(entries[0]!.file);
  const verbs = root.filter((s) => kindOf(s) === "value").map((s) => s.name);
  const namespaces = root.filter((s) => kindOf(s) === "namespace").map((s) => s.name).sort();
  assert.ok(verbs.length >= 20 && verbs.length <= 30, `${verbs.length} verbs at the root: ${verbs.join(", ")}`);
  assert.deepEqual(namespaces, entries.slice(1).map((e) => e.spec.split("/")[1]!).sort(), "one root namespace per subpath");
  // Every verb is also in its module's subpath: the root adds no name of its own.
  const bySubpath = new Set(entries.slice(1).flatMap((e) => exportsOf(e.file).map((s) => s.name)));
  assert.deepEqual(verbs.filter((v) => !bySubpath.has(v)), []);
});

test("at run time each root namespace is the very module its subpath loads, and the root's values are those the list names", async () => {
  const root = (await import(pkg.name)) as Record<string, unknown>;
  for (const e of entries.slice(1)) {
    const ns = e.spec.split("/")[1]!;
    assert.equal(root[ns], await import(e.spec), `${pkg.name}'s ${ns} is not ${e.spec}`);
  }
  const listed = surfaceLines().filter((l) => l.startsWith(`${pkg.name} `) && !l.endsWith(" type")).map((l) => l.split(" ")[1]!).sort();
  assert.deepEqual(Object.keys(root).sort(), listed);
});

// Every export — values (their call/construct signatures) and types (their properties) — is free
// of `any` (third-party re-exports aside), including defaulted type parameters such as AsyncGenerator's.
test("the public surface has no `any`", { timeout: 300_000 }, () => {
  const str = (t: ts.Type) => checker.typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation);
  const plain = ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.Null | ts.TypeFlags.Undefined;
  const offenders: string[] = [];
  let checked = 0;
  for (const e of entries) for (const sym of exportsOf(e.file)) {
    if (kindOf(sym) === "namespace") continue; // its members are checked through its subpath
    const target = resolved(sym);
    const decl = target.declarations?.[0];
    // Re-exported third-party types (danfo's DataFrame, Plot's PlotOptions) are theirs, not ours.
    if (!decl || decl.getSourceFile().fileName.includes("/node_modules/")) continue;
    checked++;
    const isValue = (target.flags & ts.SymbolFlags.Value) !== 0;
    const t = isValue ? checker.getTypeOfSymbolAtLocation(target, decl) : checker.getDeclaredTypeOfSymbol(target);
    // Literal unions and primitives: their apparent String/Number methods are not ours.
    if (!isValue && (t.flags & plain || (t.isUnion() && t.types.every((u) => u.flags & plain)))) continue;
    let text = str(t);
    if (isValue) for (const sig of [...t.getCallSignatures(), ...t.getConstructSignatures()]) text += " " + checker.signatureToString(sig, undefined, ts.TypeFormatFlags.NoTruncation);
    else text += " " + checker.getPropertiesOfType(t).map((p) => str(checker.getTypeOfSymbolAtLocation(p, decl))).join(" ");
    if (/\bany\b/.test(text)) offenders.push(`${e.spec} ${sym.name}: ${text.match(/.{0,60}\bany\b.{0,20}/)![0]}`);
  }
  assert.ok(checked > 300, `only ${checked} exports checked`);
  assert.deepEqual(offenders, []);
});
