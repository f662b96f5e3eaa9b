/**
 * Regenerates the composefs-info expectations from the C oracle.
 *
 * ```sh
 * CFS_ORACLE=/path/to/oracle deno run -A golden/info/make.ts          # write
 * CFS_ORACLE=/path/to/oracle deno run -A golden/info/make.ts --check  # compare only
 * ```
 *
 * For each golden case `golden/NAME.dump` the C tools build the image and C composefs-info
 * prints it: `NAME.dump.out`, `NAME.ls.out`, `NAME.objects.out` here hold those stdouts (or, above
 * 64 KiB, `NAME.CMD.out.sha256` their sha256).
 * `errors.txt` holds, for each malformed image of `_mutations.ts`, the line C prints
 * (`NAME<TAB>stderr`). Everything comes from the C tools, nothing from ours.
 *
 * @module
 */
import { listCases, readCaseDump } from "../_cases.ts";
import { runCInfo } from "../../tests/_info_cli.ts";
import { runMkcomposefs, sha256Hex } from "../../tests/_oracle.ts";
import { INFO_MUTATIONS } from "./_mutations.ts";

const HERE = new URL("./", import.meta.url);
const GOLDEN = new URL("../", import.meta.url);
const check = Deno.args.includes("--check");
/** Outputs above this many bytes are stored as `.out.sha256`. */
const BIG = 64 * 1024;
const problems: string[] = [];
let written = 0;

function put(name: string, bytes: Uint8Array): void {
  const url = new URL(name, HERE);
  let old: Uint8Array | undefined;
  try {
    old = Deno.readFileSync(url);
  } catch {
    old = undefined;
  }
  if (old !== undefined && old.length === bytes.length && old.every((x, i) => x === bytes[i])) {
    return;
  }
  if (check) {
    problems.push(`golden/info/${name} is out of date`);
    return;
  }
  Deno.writeFileSync(url, bytes);
  written++;
}

const tmp = Deno.makeTempDirSync({ prefix: "cfs-info-golden-" });
const images = new Map<string, Uint8Array>();
try {
  for (const c of listCases(GOLDEN)) {
    const r = await runMkcomposefs(readCaseDump(c), c.options.cliArgs, {
      strict: c.options.strict,
    });
    if (r.code !== 0) continue;
    images.set(c.name, r.stdout);
    const path = `${tmp}/${c.name}.img`;
    Deno.writeFileSync(path, r.stdout);
    for (const cmd of ["dump", "ls", "objects"]) {
      const out = await runCInfo([cmd, path]);
      if (out.code !== 0) problems.push(`${c.name}: composefs-info ${cmd} failed: ${out.stderr}`);
      // Big outputs are kept as their sha256 only, to keep the repository small.
      if (out.stdout.length > BIG) {
        put(`${c.name}.${cmd}.out.sha256`, new TextEncoder().encode(sha256Hex(out.stdout) + "\n"));
      } else {
        put(`${c.name}.${cmd}.out`, out.stdout);
      }
    }
  }
  const lines: string[] = [];
  for (const m of INFO_MUTATIONS) {
    const base = images.get(m.base);
    if (base === undefined) {
      problems.push(`${m.name}: no golden case ${m.base}`);
      continue;
    }
    const path = `${tmp}/${m.name}`;
    Deno.writeFileSync(path, m.apply(base));
    const out = await runCInfo(["ls", path]);
    if (out.code === 0) problems.push(`${m.name}: C accepted the image`);
    lines.push(`${m.name}\t${out.stderr.replaceAll(path, "IMAGE").trimEnd()}\n`);
  }
  put("errors.txt", new TextEncoder().encode(lines.join("")));
} finally {
  Deno.removeSync(tmp, { recursive: true });
}

for (const p of problems) console.error(p);
console.log(`${written} file(s) written, ${problems.length} problem(s)`);
if (problems.length > 0) Deno.exit(1);
