/**
 * composefs-info without the oracle: for every golden case, the image our writer builds (checked
 * against C's sha256 first) must read back and print exactly what C composefs-info printed
 * (`golden/info/`, made by `golden/info/make.ts`), and each malformed image of
 * `golden/info/_mutations.ts` must fail with C's message.
 *
 * @module
 */
import assert from "node:assert/strict";
import { printDump } from "../spec/dump/print.ts";
import { readImage } from "../spec/erofs/read.ts";
import { buildImageFromDump } from "../spec/image.ts";
import { collectObjects, printLs, printObjects } from "../src/cli/info_output.ts";
import { type GoldenCase, listCases, readCaseDump, readCaseFile } from "../golden/_cases.ts";
import { INFO_MUTATIONS } from "../golden/info/_mutations.ts";
import { firstLineDiff, runOurInfo } from "./_info_cli.ts";
import { sha256Hex } from "./_oracle.ts";

const GOLDEN = new URL("../golden/", import.meta.url);
const INFO = new URL("../golden/info/", import.meta.url);

function readOptional(url: URL): Uint8Array | undefined {
  try {
    return Deno.readFileSync(url);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Our image of a case, after checking it is C's (else the reader test would be moot). */
function ourImage(c: GoldenCase): Uint8Array {
  const image = buildImageFromDump(readCaseDump(c), c.options.build);
  const want = readCaseFile(c, "sha256")?.trim();
  assert.equal(sha256Hex(image), want, `${c.name}: our writer differs from C (see golden_test)`);
  return image;
}

function assertOutput(c: GoldenCase, cmd: string, ours: Uint8Array): boolean {
  const text = readOptional(new URL(`${c.name}.${cmd}.out`, INFO));
  if (text !== undefined) {
    const diff = firstLineDiff(ours, text);
    assert.equal(diff, null, `${c.name}: ${cmd} differs from C at ${diff}`);
    return true;
  }
  const sha = readOptional(new URL(`${c.name}.${cmd}.out.sha256`, INFO));
  if (sha === undefined) return false;
  assert.equal(sha256Hex(ours) + "\n", new TextDecoder().decode(sha), `${c.name}: ${cmd} sha256`);
  return true;
}

Deno.test("readImage() prints C's composefs-info dump, ls and objects for every golden case", () => {
  let checked = 0;
  for (const c of listCases(GOLDEN)) {
    if (readCaseFile(c, "sha256") === undefined) continue;
    const image = ourImage(c);
    const root = readImage(image);
    const objects = new Map<string, Uint8Array>();
    collectObjects(root, objects);
    const a = assertOutput(c, "dump", printDump(root));
    const b = assertOutput(c, "ls", printLs(root));
    const d = assertOutput(c, "objects", printObjects(objects));
    assert.ok(a && b && d, `${c.name}: no golden/info expectation (run golden/info/make.ts)`);
    checked++;
  }
  assert.ok(checked >= 100, `only ${checked} cases`);
});

Deno.test("composefsInfo() fails on each malformed golden image with C's message", () => {
  const expected = new Map<string, string>();
  for (const line of Deno.readTextFileSync(new URL("errors.txt", INFO)).split("\n")) {
    const tab = line.indexOf("\t");
    if (tab > 0) expected.set(line.slice(0, tab), line.slice(tab + 1));
  }
  const cases = new Map(listCases(GOLDEN).map((c) => [c.name, c]));
  const tmp = Deno.makeTempDirSync({ prefix: "cfs-info-golden-" });
  try {
    for (const m of INFO_MUTATIONS) {
      const base = cases.get(m.base);
      assert.ok(base, m.base);
      const path = `${tmp}/${m.name}`;
      Deno.writeFileSync(path, m.apply(ourImage(base)));
      const r = runOurInfo(["ls", path]);
      assert.equal(r.code, 1, m.name);
      assert.equal(r.stderr.replaceAll(path, "IMAGE").trimEnd(), expected.get(m.name), m.name);
      assert.equal(r.stdout.length, 0, m.name);
    }
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});
