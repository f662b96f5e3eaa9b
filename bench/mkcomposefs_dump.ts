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

async function run(cmd: string[], env: Record<string, string> = {}) {
  const timeBin = "/usr/bin/time";
  const hasTime = await Deno.stat(timeBin).then(() => true, () => false);
  const argv = hasTime ? [timeBin, "-f", "%M", ...cmd] : cmd;
  const t0 = performance.now();
  const out = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const wall = performance.now() - t0;
  const err = new TextDecoder().decode(out.stderr).trim().split("\n");
  if (!out.success) throw new Error(`${cmd.join(" ")} failed: ${err.join(" ")}`);
  const rssKb = hasTime ? Number(err[err.length - 1]) : NaN;
  return { wall, rssMb: rssKb / 1024 };
}

async function ensureUsrDump(): Promise<string> {
  const dump = `${cache}/usr.dump`;
  if (await Deno.stat(dump).then(() => true, () => false)) return dump;
  await Deno.mkdir(cache, { recursive: true });
  console.error("making the /usr dump once (the C tool hashes every file; this takes a while)");
  const img = `${cache}/usr.c.img`;
  await run([`${oracle}/mkcomposefs`, "/usr", img]);
  const out = await new Deno.Command(`${oracle}/composefs-info`, { args: ["dump", img] }).output();
  await Deno.writeFile(dump, out.stdout);
  return dump;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const dump = positionals[0] ?? await ensureUsrDump();
const tmp = await Deno.makeTempDir();
const cOut = `${tmp}/c.img`;
const ourOut = `${tmp}/ours.img`;
// The flags of the mkcomposefs task and of cli.ts's shebang.
const ours = [
  "deno",
  "run",
  "--v8-flags=--max-semi-space-size=2",
  "--allow-read",
  "--allow-write",
  `${repo}cli.ts`,
];
const lines = new TextDecoder().decode(await Deno.readFile(dump)).split("\n").length - 1;
console.log(`dump: ${dump} (${lines} entries), ${runs} runs each, alternating`);

const c = { wall: [] as number[], rss: [] as number[] };
const t = { wall: [] as number[], rss: [] as number[] };
for (let i = 0; i < runs; i++) {
  const rc = await run([`${oracle}/mkcomposefs`, "--from-file", dump, cOut]);
  c.wall.push(rc.wall);
  c.rss.push(rc.rssMb);
  const rt = await run([...ours, "--from-file", dump, ourOut]);
  t.wall.push(rt.wall);
  t.rss.push(rt.rssMb);
}
const same = (await new Deno.Command("cmp", { args: ["-s", cOut, ourOut] }).output()).success;
await Deno.remove(tmp, { recursive: true });

const f = (x: number) => x.toFixed(0);
console.log(`C:    wall ${f(median(c.wall))} ms, peak RSS ${f(median(c.rss))} MB`);
console.log(`ours: wall ${f(median(t.wall))} ms, peak RSS ${f(median(t.rss))} MB`);
console.log(
  `ratio ours/C: wall ${(median(t.wall) / median(c.wall)).toFixed(2)}x, ` +
    `peak RSS ${(median(t.rss) / median(c.rss)).toFixed(2)}x; images identical: ${same}`,
);
