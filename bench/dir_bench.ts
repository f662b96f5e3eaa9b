/**
 * Directory sources against the C tool: wall time, CPU time and peak RSS of
 * `mkcomposefs --threads=N SRC IMG` for C 1.0.8 and for our CLI, run alternately in the same
 * session (so a change in machine load hits both), medians over the runs, and the ratios
 * ours / C. The targets of issue 4: wall ≤ 1.5x and peak memory ≤ 2x C's. It also checks that
 * the two images are identical. Numbers only, never assertions.
 *
 * Run: `CFS_ORACLE=/work/oracle deno run -A bench/dir_bench.ts [--runs=3] [--threads=N]
 * [--deno-flag=F]… [SRC…]` (default sources: /usr/share and /usr). `--deno-flag` passes a flag
 * to our `deno run`, e.g. `--deno-flag=--v8-flags=--max-semi-space-size=1`. Needs GNU time at
 * /usr/bin/time for the RSS.
 *
 * @module
 */
import { medianStats, type RunStats, sameFile, timed } from "./_measure.ts";

export type { RunStats } from "./_measure.ts";

/** Medians of each tool on one source. */
export interface SourceResult {
  source: string;
  c: RunStats;
  ours: RunStats;
  identical: boolean;
}

/** Benchmarks one source; `runs` alternating runs of each tool after one warm-up each. */
export async function benchSource(
  oracle: string,
  source: string,
  threads: number,
  runs: number,
  work: string,
  denoFlags: string[] = [],
): Promise<SourceResult> {
  const cli = new URL("../cli.ts", import.meta.url).pathname;
  const cImg = `${work}/c.img`;
  const ourImg = `${work}/ours.img`;
  const cCmd = [`${oracle}/mkcomposefs`, `--threads=${threads}`, source, cImg];
  const ourCmd = [
    Deno.execPath(),
    "run",
    "--quiet",
    "--allow-read",
    "--allow-write",
    "--allow-ffi",
    "--allow-env",
    ...denoFlags,
    cli,
    `--threads=${threads}`,
    source,
    ourImg,
  ];
  // Warm the page cache and Deno's module cache.
  await timed(cCmd);
  await timed(ourCmd);
  const c: RunStats[] = [];
  const ours: RunStats[] = [];
  for (let i = 0; i < runs; i++) {
    c.push(await timed(cCmd));
    ours.push(await timed(ourCmd));
  }
  return {
    source,
    c: medianStats(c),
    ours: medianStats(ours),
    identical: await sameFile(cImg, ourImg),
  };
}

function row(r: SourceResult): string {
  const f = (x: number, d = 2) => x.toFixed(d);
  const mib = (k: number) => f(k / 1024, 0);
  return [
    r.source.padEnd(12),
    `wall C ${f(r.c.wallS)} s, ours ${f(r.ours.wallS)} s, ratio ${f(r.ours.wallS / r.c.wallS)}`,
    `cpu C ${f(r.c.cpuS)} s, ours ${f(r.ours.cpuS)} s, ratio ${f(r.ours.cpuS / r.c.cpuS)}`,
    `rss C ${mib(r.c.maxRssKiB)} MiB, ours ${mib(r.ours.maxRssKiB)} MiB, ratio ${
      f(r.ours.maxRssKiB / r.c.maxRssKiB)
    }`,
    `identical: ${r.identical ? "yes" : "NO"}`,
  ].join(" | ");
}

if (import.meta.main) {
  const oracle = Deno.env.get("CFS_ORACLE");
  if (!oracle) {
    console.error("Set CFS_ORACLE to the folder of the C mkcomposefs");
    Deno.exit(2);
  }
  let runs = 3;
  let threads = navigator.hardwareConcurrency;
  const sources: string[] = [];
  const denoFlags: string[] = [];
  for (const a of Deno.args) {
    if (a.startsWith("--runs=")) runs = Number(a.slice(7));
    else if (a.startsWith("--deno-flag=")) denoFlags.push(a.slice(12));
    else if (a.startsWith("--threads=")) threads = Number(a.slice(10));
    else sources.push(a);
  }
  if (sources.length === 0) sources.push("/usr/share", "/usr");
  const work = await Deno.makeTempDir({ prefix: "cfs-dirbench-" });
  try {
    const flags = denoFlags.length > 0 ? ` deno flags: ${denoFlags.join(" ")}` : "";
    console.log(`threads=${threads} runs=${runs}${flags} (medians; ratio = ours / C)`);
    for (const s of sources) {
      console.log(row(await benchSource(oracle, s, threads, runs, work, denoFlags)));
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
