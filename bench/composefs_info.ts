/**
 * Benchmark: `composefs-info dump` (and `ls`) on a large image, ours against the C tool in the
 * same run. Prints the median (and minimum) wall time, CPU time and peak RSS of N alternating
 * runs (stdout to /dev/null) and the ratios, and checks that both print the same bytes. On a
 * shared machine the minimum and the CPU time are steadier than the median wall time.
 *
 *   deno run -A bench/composefs_info.ts [IMAGE] [--runs=N] [--command=dump|ls|objects]
 *
 * Without IMAGE it uses (and on first use makes, with C mkcomposefs) the image of the upstream
 * `cs9-x86_64-developer.dump.gz` (about 140,000 entries), read from `CFS_CORPUS` or
 * `../shared/corpus/composefs-tests`. Needs the C oracle: CFS_ORACLE, or
 * ../shared/tools/c-oracle.sh's default folder.
 *
 * @module
 */
import { median, type RunStats, timed } from "./_measure.ts";
import { parseArgs } from "node:util";

const repo = new URL("..", import.meta.url).pathname;
const oracle = Deno.env.get("CFS_ORACLE") ??
  `${Deno.env.get("HOME") ?? "/root"}/.cache/composefs-c-1.0.8`;
const corpus = Deno.env.get("CFS_CORPUS") ?? `${repo}../shared/corpus/composefs-tests`;
const cache = `${Deno.env.get("HOME") ?? "/root"}/.cache/cfs-ts`;

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "7" },
    command: { type: "string", default: "dump" },
  },
  allowPositionals: true,
});
const runs = Number(values.runs);
const command = values.command!;

/** The stdout of `cmd`. */
async function output(cmd: string[]): Promise<Uint8Array> {
  const out = await new Deno.Command(cmd[0]!, { args: cmd.slice(1), stdout: "piped" }).output();
  return out.stdout;
}

async function ensureImage(): Promise<string> {
  const img = `${cache}/cs9-x86_64-developer.c.img`;
  if (await Deno.stat(img).then(() => true, () => false)) return img;
  await Deno.mkdir(cache, { recursive: true });
  const gz = await Deno.readFile(`${corpus}/cs9-x86_64-developer.dump.gz`);
  const stream = new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"));
  const dump = `${cache}/cs9-x86_64-developer.dump`;
  await Deno.writeFile(dump, new Uint8Array(await new Response(stream).arrayBuffer()));
  const out = await new Deno.Command(`${oracle}/mkcomposefs`, {
    args: ["--from-file", dump, img],
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return img;
}

const image = positionals[0] ?? await ensureImage();
// The flags of the composefs-info task.
const ours = [
  "deno",
  "run",
  "--v8-flags=--max-semi-space-size=2",
  "--allow-read",
  `${repo}src/cli/composefs_info.ts`,
];
const theirs = [`${oracle}/composefs-info`];
const size = (await Deno.stat(image)).size;
console.log(`image: ${image} (${(size / 1048576).toFixed(1)} MiB), ${command}, ${runs} runs each`);

// Wall and CPU in ms, peak RSS in MB, one entry per run.
const c = { wall: [] as number[], rss: [] as number[], cpu: [] as number[] };
const t = { wall: [] as number[], rss: [] as number[], cpu: [] as number[] };
const record = (into: typeof c, r: RunStats) => {
  into.wall.push(1000 * r.wallS);
  into.cpu.push(1000 * r.cpuS);
  into.rss.push(r.maxRssKiB / 1024);
};
for (let i = 0; i < runs; i++) {
  record(c, await timed([...theirs, command, image]));
  record(t, await timed([...ours, command, image]));
}
const cOut = await output([...theirs, command, image]);
const ourOut = await output([...ours, command, image]);
const same = cOut.length === ourOut.length && cOut.every((x, i) => x === ourOut[i]);
const lines = cOut.filter((x) => x === 10).length;

const f = (x: number) => x.toFixed(0);
console.log(`output: ${lines} lines; identical: ${same}`);
const line = (who: string, r: typeof c) =>
  `${who} wall ${f(median(r.wall))} ms (min ${f(Math.min(...r.wall))}), ` +
  `user+sys ${f(median(r.cpu))} ms, peak RSS ${f(median(r.rss))} MB`;
console.log(line("C:   ", c));
console.log(line("ours:", t));
console.log(
  `ratio ours/C: wall ${(median(t.wall) / median(c.wall)).toFixed(2)}x ` +
    `(min ${(Math.min(...t.wall) / Math.min(...c.wall)).toFixed(2)}x), ` +
    `user+sys ${(median(t.cpu) / median(c.cpu)).toFixed(2)}x, ` +
    `peak RSS ${(median(t.rss) / median(c.rss)).toFixed(2)}x`,
);
