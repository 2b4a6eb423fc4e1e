// The hand-written klog, DPC-log and RFC 3339 readers against the regex readers they replaced, on seeded random lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rng } from "../sdk/core/rng.js";
import { parseDpcLog, parseKlog, parseVllmLog } from "../sdk/actuation/evidence.js";
import { parseKubeTime } from "../sdk/kube/time.js";

// ── The reference readers: the regex versions, kept here only to pin the fast ones to their answers. ──
function refKlog(line: string): { msg: string; kv: Record<string, string> } | null {
  const open = line.indexOf('] "');
  if (open < 0) return null;
  let i = open + 3;
  let msg = "";
  for (; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\" && i + 1 < line.length) { msg += line[++i]; continue; }
    if (ch === '"') break;
    msg += ch;
  }
  if (i >= line.length) return null;
  const kv: Record<string, string> = {};
  const re = /([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  const rest = line.slice(i + 1);
  for (let m = re.exec(rest); m; m = re.exec(rest)) kv[m[1]!] = m[2]!.startsWith('"') ? m[2]!.slice(1, -1).replace(/\\(.)/g, "$1") : m[2]!;
  return { msg, kv };
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;
function refKubeTime(text: string): number | null {
  const m = RFC3339.exec(text.trim());
  if (!m) return null;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return null;
  return m[2] ? whole + Math.round(Number(`0.${m[2]}`) * 1e6) / 1e3 : whole;
}

const RELEVANT = ["HTTP call done", "Created launcher-based server-providing pod", "Created server-providing pod"];
/** The DPC reader's decisions per line, through the reference klog reader: which lines it reads, which it refuses. */
function refDpcLines(lines: string[]): ("skip" | "read" | "throw")[] {
  return lines.map((raw) => {
    const line = raw.replace(/^\S+Z (?=[IWEF]\d{4} )/, "");
    if (!RELEVANT.some((m) => line.includes(m))) return "skip";
    const k = refKlog(line);
    if (!k) return "throw";
    return RELEVANT.includes(k.msg) ? "read" : "skip";
  });
}

const r = rng(18).split("evidence-parsers-differential");
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r.random() * xs.length)]!;
const PIECES = [" ", "  ", "\t", "\r", "\u00a0", "\u2028", "=", '"', '\\"', "\\", "\\\\", "\\\r", "a", "Z", "_k", "9x", "x.y-z", "key=", 'k="v w"', "k=v", 'u="', "é", "-", ".", "]", '] "', "HTTP call done", "requesterName=", "\"HTTP call \\done\""];
const randomTail = () => Array.from({ length: Math.floor(r.random() * 12) }, () => pick(PIECES)).join("");

test("parseKlog: the one-pass reader gives the regex reader's message and pairs on 20,000 random lines", () => {
  let read = 0;
  for (let i = 0; i < 20_000; i++) {
    const line = `${pick(["", "2026-11-23T09:00:00.5Z ", "I1123 09:00:00.000000 1 x.go:1"])}${pick(["", "] ", '] "', "]"])}${pick(["", '"', "HTTP call done", "m\\\"sg", "x\\"])}${randomTail()}`;
    const want = refKlog(line);
    assert.deepEqual(parseKlog(line), want, JSON.stringify(line));
    if (want) read++;
  }
  assert.ok(read > 3_000, `only ${read} lines had a message: the generator no longer exercises the pair reader`);
});

test("parseDpcLog: reads and refuses exactly the lines the regex reader did", () => {
  const head = ["I1123 09:00:00.000000 1 x.go:1] ", "2026-11-23T09:00:00.5Z I1123 09:00:00.000000 1 x.go:1] ", "junk ", ""];
  const msgs = ['"HTTP call done"', '"Created launcher-based server-providing pod"', '"Created server-providing pod"', '"other"', '"HTTP call \\done"', '"HTTP call done', "HTTP call done"];
  let reads = 0, throws = 0;
  for (let i = 0; i < 3_000; i++) {
    const line = `${pick(head)}${pick(msgs)} requesterName="r${i % 7}" serverUID=${pick(["", `"u${i % 5}"`])} purpose=${pick(['"wake"', "create_instance", '"relay_ready"'])} httpCallStartTime="2026-11-23T09:00:0${i % 10}.${i}Z" k8sCallStartTime=2026-11-23T09:00:01Z statusCode=${pick(["200", "500", "x"])} err=${pick(["null", '"boom \\"x\\""', "<nil>"])} url="http://10.0.0.${i % 3}:8001/x"${pick(["", ` pod=p${i}`, ` pod="p \\"${i}"`])}${randomTail()}`;
    const want = refDpcLines([line])[0]!;
    let got: "skip" | "read" | "throw";
    try {
      const rec = parseDpcLog([line], "d.log").records[0];
      got = rec ? "read" : "skip";
      // The values it keeps are the reference reader's values for those keys.
      const kv = refKlog(line)?.kv ?? {};
      if (rec) assert.deepEqual([rec.requesterName, rec.serverUID, rec.calls[0]?.purpose ?? kv.purpose, rec.calls[0]?.url ?? kv.url ?? null, rec.launcherPod ?? rec.providerPod ?? kv.pod ?? null],
        [kv.requesterName, kv.serverUID || null, kv.purpose, kv.url ?? null, kv.pod ?? null], JSON.stringify(line));
    } catch (err) { if (err instanceof assert.AssertionError) throw err; got = "throw"; }
    // A read line can still be refused for a bad field (not the header): count that as read.
    if (want === "read" && got === "throw") got = "read";
    assert.equal(got, want, JSON.stringify(line));
    if (want === "read") reads++;
    if (want === "throw") throws++;
  }
  assert.ok(reads > 500 && throws > 50, `reads ${reads}, throws ${throws}: the generator no longer covers both`);
});

test("parseKubeTime: the digit reader agrees with the regex + Date.parse reader on 100,000 random timestamps", () => {
  // Mostly in range (so the digit reader's path is taken), sometimes anything two digits hold.
  const d2 = (hi: number) => String(Math.floor(r.random() * (r.random() < 0.8 ? hi : 100))).padStart(2, "0");
  let valid = 0;
  for (let i = 0; i < 100_000; i++) {
    const s = `${pick(["2026", "2026", "1999", "0099", "0000", "9999", "20x6"])}-${d2(13)}-${d2(32)}${pick(["T", "T", "T", "t", " "])}${d2(25)}:${d2(61)}:${d2(61)}${r.random() < 0.5 ? pick(["", ".", ".1", ".123456", ".123456789", ".5x", ".000"]) : "." + Array.from({ length: 1 + Math.floor(r.random() * 18) }, () => Math.floor(r.random() * 10)).join("")}${pick(["Z", "Z", "Z", "Z", "z", "+01:00", "", "Z ", " Z"])}`;
    const want = refKubeTime(s);
    assert.ok(Object.is(parseKubeTime(s), want), `${s}: ${parseKubeTime(s)} ≠ ${want}`);
    if (want !== null) valid++;
  }
  assert.ok(valid > 10_000, `only ${valid} valid timestamps generated`);
});

test("parseVllmLog: substring tests on the raw line pick the lines and types the regex cascade picked after the prefix", () => {
  const markers = ["It took 1.5 seconds to wake up.", "It took 2 seconds to fall asleep.", "non-default args: {}", "Model loading took 3 GB and 4.5 seconds", "Accepted request to create vLLM instance with id=x", "seconds to wake", "Model loading", "args:"];
  const refType = (line: string) => /seconds to wake up/.test(line) ? "wake" : /seconds to fall asleep/.test(line) ? "sleep" : /non-default args:/.test(line) ? "start" : /Model loading took/.test(line) ? "load" : /Accepted request to create vLLM instance/.test(line) ? "create_accepted" : null;
  let typed = 0;
  for (let i = 0; i < 3_000; i++) {
    const prefix = pick(["", "2026-11-23T09:00:00.5Z ", "2026-11-23Tnon-default_args:Z ", "2026-11-23Tnon-defaultZ "]);
    const line = `${prefix}INFO 11-23 09:00:0${i % 10}.${i} ${randomTail()}${pick(markers)}${randomTail().replace(/[\r\u2028]/g, "")}`;
    const want = refType(line.replace(/^(\d{4}-\d{2}-\d{2}T\S+Z) /, ""));
    const got = parseVllmLog([line], { year: 2026 })[0]?.type ?? null;
    assert.equal(got, want, JSON.stringify(line));
    if (want) typed++;
  }
  assert.ok(typed > 1_000, `only ${typed} typed lines`);
});
