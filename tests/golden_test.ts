/**
 * Golden tests: our image for each `golden/NAME.dump` must have the sha256 the C tool's image has
 * (`NAME.sha256`), and each `golden/fail/NAME.dump` must be rejected. Runs without the oracle;
 * when `CFS_ORACLE` is set, a mismatch also reports the first differing byte.
 */

import assert from "node:assert/strict";
import { buildImageFromDump } from "../mod.ts";
import { toHex } from "../spec/bytes/compare.ts";
import { fsverityDigest } from "../spec/fsverity/merkle.ts";
import { nodeSha256 } from "../src/crypto/sha256.ts";
import {
  FAIL_DIR,
  GOLDEN_DIR,
  type GoldenCase,
  listCases,
  readCaseDump,
  readCaseFile,
} from "../golden/_cases.ts";
import { generatedCases } from "../golden/_generated.ts";
import { firstDifference, hexAround, oracleDir, runMkcomposefs, sha256Hex } from "./_oracle.ts";

async function explainMismatch(c: GoldenCase, ours: Uint8Array): Promise<string> {
  if (!oracleDir()) return "(set CFS_ORACLE to see the first differing byte)";
  const { cliArgs, strict } = c.options;
  const theirs = (await runMkcomposefs(readCaseDump(c), cliArgs, { strict })).stdout;
  const at = firstDifference(ours, theirs);
  return [
    `sizes: ours ${ours.length}, C ${theirs.length}; first difference at offset ${at}`,
    `ours:\n${hexAround(ours, at)}`,
    `C:\n${hexAround(theirs, at)}`,
  ].join("\n");
}

for (const c of listCases(GOLDEN_DIR)) {
  Deno.test(`buildImageFromDump() matches the C image of golden/${c.name}`, async () => {
    const expected = readCaseFile(c, "sha256")?.trim();
    assert.ok(expected, `golden/${c.name}.sha256 is missing: run golden/make.ts`);
    const image = buildImageFromDump(readCaseDump(c), c.options.build);
    const actual = sha256Hex(image);
    if (actual !== expected) {
      assert.fail(
        `golden/${c.name}: sha256 ${actual}, expected ${expected}\n` +
          (await explainMismatch(c, image)),
      );
    }
  });
}

for (const c of listCases(GOLDEN_DIR)) {
  const expected = readCaseFile(c, "digest")?.trim();
  if (expected === undefined) continue;
  Deno.test(`fsverityDigest() of our image is C's --print-digest-only for golden/${c.name}`, () => {
    const image = buildImageFromDump(readCaseDump(c), c.options.build);
    assert.equal(toHex(fsverityDigest(image, nodeSha256)), expected);
  });
}

for (const c of listCases(FAIL_DIR)) {
  Deno.test(`buildImageFromDump() rejects golden/fail/${c.name}`, () => {
    const cError = readCaseFile(c, "stderr")?.trim();
    assert.throws(
      () => buildImageFromDump(readCaseDump(c), c.options.build),
      Error,
      `the C tool says: ${cError}`,
    );
  });
}

Deno.test("golden/_generated.ts matches the committed generated dumps", () => {
  const stale: string[] = [];
  for (const g of generatedCases()) {
    const url = new URL(`${g.name}.dump`, g.fail ? FAIL_DIR : GOLDEN_DIR);
    const onDisk = Deno.readFileSync(url);
    const made = g.dump();
    if (onDisk.length !== made.length || firstDifference(onDisk, made) !== -1) stale.push(g.name);
  }
  assert.deepEqual(stale, [], "regenerate with golden/make.ts");
});

Deno.test("golden/ has an expectation beside every dump", () => {
  const missing: string[] = [];
  for (const c of listCases(GOLDEN_DIR)) {
    if (readCaseFile(c, "sha256") === undefined) missing.push(`${c.name}.sha256`);
  }
  for (const c of listCases(FAIL_DIR)) {
    if (readCaseFile(c, "stderr") === undefined) missing.push(`fail/${c.name}.stderr`);
  }
  assert.deepEqual(missing, []);
});
