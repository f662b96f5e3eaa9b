/**
 * Regenerates the golden expectations from the C oracle.
 *
 * ```sh
 * CFS_ORACLE=/path/to/oracle deno run -A golden/make.ts          # write
 * CFS_ORACLE=/path/to/oracle deno run -A golden/make.ts --check  # compare only, exit 1 on drift
 * ```
 *
 * 1. Writes the generated dumps (`golden/_generated.ts`).
 * 2. For each `golden/NAME.dump`: runs `mkcomposefs --from-file [ARGS] - -` and writes
 *    `NAME.sha256` (hex + LF) and, from `--print-digest-only`, `NAME.digest` (hex + LF).
 * 3. For each `golden/fail/NAME.dump`: the C tool must fail; writes its stderr to `NAME.stderr`.
 *
 * Expectations come from the C tool only, never from our writer.
 *
 * @module
 */

import { runMkcomposefs, sha256Hex } from "../tests/_oracle.ts";
import { FAIL_DIR, GOLDEN_DIR, type GoldenCase, listCases, readCaseDump } from "./_cases.ts";
import { generatedCases } from "./_generated.ts";

const check = Deno.args.includes("--check");
const problems: string[] = [];
let written = 0;

function readOrUndefined(url: URL): Uint8Array | undefined {
  try {
    return Deno.readFileSync(url);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Writes `bytes` to `url` unless it already holds them; in --check mode reports instead. */
function put(url: URL, bytes: Uint8Array): void {
  if (sameBytes(readOrUndefined(url), bytes)) return;
  const rel = url.pathname.slice(GOLDEN_DIR.pathname.length);
  if (check) {
    problems.push(`golden/${rel} is out of date`);
    return;
  }
  Deno.writeFileSync(url, bytes);
  written++;
  console.log(`wrote golden/${rel}`);
}

const text = (s: string) => new TextEncoder().encode(s);

async function makeSuccess(c: GoldenCase): Promise<void> {
  const dump = readCaseDump(c);
  const { cliArgs, strict } = c.options;
  const image = await runMkcomposefs(dump, cliArgs, { strict });
  if (image.code !== 0) {
    problems.push(`${c.name}: the C tool rejected it: ${image.stderr.trim()}`);
    return;
  }
  put(new URL(`${c.name}.sha256`, c.dir), text(sha256Hex(image.stdout) + "\n"));
  const digest = await runMkcomposefs(dump, [...cliArgs, "--print-digest-only"], { strict });
  const hex = new TextDecoder().decode(digest.stdout);
  if (digest.code !== 0 || !/^[0-9a-f]{64}\n$/.test(hex)) {
    problems.push(`${c.name}: --print-digest-only gave ${JSON.stringify(hex)}`);
    return;
  }
  put(new URL(`${c.name}.digest`, c.dir), text(hex));
}

async function makeFailure(c: GoldenCase): Promise<void> {
  const { cliArgs, strict } = c.options;
  const result = await runMkcomposefs(readCaseDump(c), cliArgs, { strict });
  if (result.code === 0) {
    problems.push(`fail/${c.name}: the C tool accepted it`);
    return;
  }
  put(new URL(`${c.name}.stderr`, c.dir), text(result.stderr));
}

/** Expectation files whose dump is gone. */
function findStale(dir: URL, exts: string[]): void {
  const dumps = new Set(listCases(dir).map((c) => c.name));
  for (const e of Deno.readDirSync(dir)) {
    const m = /^(.*)\.([a-z0-9]+)$/.exec(e.name);
    if (!e.isFile || !m || !exts.includes(m[2]!) || dumps.has(m[1]!)) continue;
    problems.push(`golden: ${e.name} has no dump`);
  }
}

for (const g of generatedCases()) {
  put(new URL(`${g.name}.dump`, g.fail ? FAIL_DIR : GOLDEN_DIR), g.dump());
}
for (const c of listCases(GOLDEN_DIR)) await makeSuccess(c);
for (const c of listCases(FAIL_DIR)) await makeFailure(c);
findStale(GOLDEN_DIR, ["sha256", "digest", "args"]);
findStale(FAIL_DIR, ["stderr", "args"]);

for (const p of problems) console.error(p);
console.log(`${written} file(s) written, ${problems.length} problem(s)`);
if (problems.length > 0) Deno.exit(1);
