/**
 * Benchmark: `mkcomposefs --from-file` on a large dump, ours against the C tool in the same run.
 * Prints wall time and peak RSS of each (median of N alternating runs) and the ratios.
 *
 *   deno run -A bench/mkcomposefs_dump.ts [DUMP] [--runs=N]
 *
 * Without DUMP it uses (and on first use makes) a dump of /usr: the C tool builds an image of
 * /usr and `composefs-info dump` prints it (about 140,000 entries on our machines).
 * Needs the C oracle: CFS_ORACLE, or ../shared/tools/c-oracle.sh's default folder.
 *
 * @module
 */
import { medianStats, type RunStats, sameFile, timed } from "./_measure.ts";
import { parseArgs } from "node:util";

const repo = new URL("..", import.meta.url).pathname;
const oracle = Deno.env.get("CFS_ORACLE") ??
  `${Deno.env.get("HOME") ?? "/root"}/.cache/composefs-c-1.0.8`;
const cache = `${Deno.env.get("HOME") ?? "/root"}/.cache/cfs-ts`;

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "5" } },
  allowPositionals: true,
});
const runs = Number(values.runs);

async function ensureUsrDump(): Promise<string> {
  const dump = `${cache}/usr.dump`;
  if (await Deno.stat(dump).then(() => true, () => false)) return dump;
  await Deno.mkdir(cache, { recursive: true });
  console.error("making the /usr dump once (the C tool hashes every file; this takes a while)");
  const img = `${cache}/usr.c.img`;
  await timed([`${oracle}/mkcomposefs`, "/usr", img]);
  const out = await new Deno.Command(`${oracle}/composefs-info`, { args: ["dump", img] }).output();
  await Deno.writeFile(dump, out.stdout);
  return dump;
}

const dump = positionals[0] ?? await ensureUsrDump();
const tmp = await Deno.makeTempDir();
const cOut = `${tmp}/c.img`;
const ourOut = `${tmp}/ours.img`;
// The flags of the mkcomposefs task and of cli.ts's shebang.
const ours = [
  "deno",
  "run",
  "--v8-flags=--max-semi-space-size=1",
  "--allow-read",
  "--allow-write",
  `${repo}cli.ts`,
];
const lines = new TextDecoder().decode(await Deno.readFile(dump)).split("\n").length - 1;
console.log(`dump: ${dump} (${lines} entries), ${runs} runs each, alternating`);

const c: RunStats[] = [];
const t: RunStats[] = [];
for (let i = 0; i < runs; i++) {
  c.push(await timed([`${oracle}/mkcomposefs`, "--from-file", dump, cOut]));
  t.push(await timed([...ours, "--from-file", dump, ourOut]));
}
const same = await sameFile(cOut, ourOut);
await Deno.remove(tmp, { recursive: true });

const [mc, mt] = [medianStats(c), medianStats(t)];
const show = (r: RunStats) =>
  `wall ${(1000 * r.wallS).toFixed(0)} ms, cpu ${(1000 * r.cpuS).toFixed(0)} ms, ` +
  `peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB`;
console.log(`C:    ${show(mc)}`);
console.log(`ours: ${show(mt)}`);
console.log(
  `ratio ours/C: wall ${(mt.wallS / mc.wallS).toFixed(2)}x, cpu ${
    (mt.cpuS / mc.cpuS).toFixed(2)
  }x, ` +
    `peak RSS ${(mt.maxRssKiB / mc.maxRssKiB).toFixed(2)}x; images identical: ${same}`,
);
