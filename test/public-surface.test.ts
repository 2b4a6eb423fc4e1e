import { test } from "node:test";
import assert from "node:assert/strict";
import ts from "typescript";

// Every export of sdk/index.ts — values (their call/construct signatures) and types (their
// properties) — is free of `any` (third-party re-exports aside), including defaulted type parameters such as AsyncGenerator's.
test("the public surface (sdk/index.ts) has no `any`", { timeout: 300_000 }, () => {
  const program = ts.createProgram(["sdk/index.ts"], {
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, skipLibCheck: true, types: ["node"],
  });
  const checker = program.getTypeChecker();
  const mod = checker.getSymbolAtLocation(program.getSourceFile("sdk/index.ts")!)!;
  const exports = checker.getExportsOfModule(mod);
  assert.ok(exports.length > 100, `only ${exports.length} exports found`);
  const str = (t: ts.Type) => checker.typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation);
  const plain = ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.Null | ts.TypeFlags.Undefined;
  const offenders: string[] = [];
  for (const sym of exports) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    const decl = target.declarations?.[0];
    // Re-exported third-party types (danfo's DataFrame, Plot's PlotOptions) are theirs, not ours.
    if (!decl || decl.getSourceFile().fileName.includes("/node_modules/")) continue;
    const isValue = (target.flags & ts.SymbolFlags.Value) !== 0;
    const t = isValue ? checker.getTypeOfSymbolAtLocation(target, decl) : checker.getDeclaredTypeOfSymbol(target);
    // Literal unions and primitives: their apparent String/Number methods are not ours.
    if (!isValue && (t.flags & plain || (t.isUnion() && t.types.every((u) => u.flags & plain)))) continue;
    let text = str(t);
    if (isValue) for (const sig of [...t.getCallSignatures(), ...t.getConstructSignatures()]) text += " " + checker.signatureToString(sig, undefined, ts.TypeFormatFlags.NoTruncation);
    else text += " " + checker.getPropertiesOfType(t).map((p) => str(checker.getTypeOfSymbolAtLocation(p, decl))).join(" ");
    if (/\bany\b/.test(text)) offenders.push(`${sym.name}: ${text.match(/.{0,60}\bany\b.{0,20}/)![0]}`);
  }
  assert.deepEqual(offenders, []);
});
