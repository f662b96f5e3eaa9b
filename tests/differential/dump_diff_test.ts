/**
 * Differential tests against C mkcomposefs 1.0.8 (`CFS_ORACLE`): random valid dumps go through
 * `mkcomposefs --from-file - -` and through `buildImageFromDump`, and the images must be
 * byte-identical; when the C tool refuses a dump, ours must throw. Ignored without the oracle.
 *
 * The seed is fixed (override with `CFS_DIFF_SEED`, the run count with `CFS_DIFF_RUNS`). On a
 * failure the shrunk dump is printed and saved to a temporary file.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { buildImageFromDump, type BuildOptions } from "../../mod.ts";
import { dumpArb } from "../arbitraries.ts";
import { firstDifference, hexAround, oracleDir, runMkcomposefs } from "../_oracle.ts";

const oracle = oracleDir();
const SEED = Number(Deno.env.get("CFS_DIFF_SEED") ?? 0x5eed2);
const RUNS = Number(Deno.env.get("CFS_DIFF_RUNS") ?? 300);

/** One option combination, as C arguments and as {@link BuildOptions}. */
interface Combo {
  cliArgs: string[];
  build: BuildOptions;
  strict: boolean;
}

const plain: Combo = { cliArgs: [], build: { strict: true }, strict: true };

/** `--min-version` / `--max-version` absent, 0 or 1 each, strict or not. */
const comboArb: fc.Arbitrary<Combo> = fc.record({
  min: fc.constantFrom(undefined, 0, 1),
  max: fc.constantFrom(undefined, 0, 1),
  strict: fc.boolean(),
}).map(({ min, max, strict }) => {
  const combo: Combo = { cliArgs: [], build: { strict }, strict };
  if (min !== undefined) {
    combo.cliArgs.push(`--min-version=${min}`);
    combo.build.minVersion = min;
  }
  if (max !== undefined) {
    combo.cliArgs.push(`--max-version=${max}`);
    combo.build.maxVersion = max;
  }
  return combo;
});

const latin1 = new TextDecoder("latin1");

/** Compares both tools on one dump; throws a readable error on any difference. */
async function compareWithC(dump: Uint8Array, combo: Combo): Promise<void> {
  const c = await runMkcomposefs(dump, combo.cliArgs, { strict: combo.strict });
  let ours: Uint8Array | undefined;
  let ourError: unknown;
  try {
    ours = buildImageFromDump(dump, combo.build);
  } catch (e) {
    ourError = e;
  }
  const where = `options ${JSON.stringify(combo.cliArgs)}${combo.strict ? " strict" : ""}`;
  if (c.code !== 0) {
    if (ours !== undefined) {
      throw new Error(`C rejected the dump (${c.stderr.trim()}) but we built an image; ${where}`);
    }
    return;
  }
  if (ours === undefined) {
    throw new Error(`C built the dump but we threw: ${String(ourError)}; ${where}`);
  }
  const at = firstDifference(ours, c.stdout);
  if (at !== -1) {
    throw new Error(
      `images differ at offset ${at} (0x${at.toString(16)}): ours ${ours.length} bytes, ` +
        `C ${c.stdout.length} bytes; ${where}\nours:\n${hexAround(ours, at)}\nC:\n` +
        hexAround(c.stdout, at),
    );
  }
}

/** Runs a property with the fixed seed; on failure saves the shrunk dump and fails readably. */
async function checkProperty<T extends [Uint8Array, ...unknown[]]>(
  property: fc.IAsyncPropertyWithHooks<T>,
  numRuns: number,
): Promise<void> {
  const details = await fc.check(property, { seed: SEED, numRuns });
  if (!details.failed) return;
  const example = details.counterexample;
  let saved = "(no counterexample)";
  let text = "";
  if (example) {
    saved = Deno.makeTempFileSync({ prefix: "cfs-diff-", suffix: ".dump" });
    Deno.writeFileSync(saved, example[0]);
    text = latin1.decode(example[0]);
  }
  const error = details.errorInstance instanceof Error
    ? details.errorInstance.message
    : String(details.errorInstance);
  assert.fail(
    `${error}\nseed ${details.seed}, path "${details.counterexamplePath}", ` +
      `after ${details.numRuns} runs and ${details.numShrinks} shrinks\n` +
      `shrunk dump saved to ${saved}:\n${text}`,
  );
}

Deno.test({
  name: "buildImageFromDump() writes the C image for random strict dumps",
  ignore: !oracle,
  async fn() {
    await checkProperty(
      fc.asyncProperty(dumpArb(), (dump) => compareWithC(dump, plain)),
      RUNS,
    );
  },
});

Deno.test({
  name: "buildImageFromDump() writes the C image for random dumps and version options",
  ignore: !oracle,
  async fn() {
    await checkProperty(
      fc.asyncProperty(
        dumpArb({ maxDrafts: 20 }),
        comboArb,
        (dump, combo) => compareWithC(dump, combo),
      ),
      Math.max(1, Math.round(RUNS / 2)),
    );
  },
});
