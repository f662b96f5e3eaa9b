/**
 * `--digest-store` against the C tool: wall and CPU time of `mkcomposefs --threads=N
 * --digest-store=S SRC IMG` filling an empty store, then a second run into the full store, and
 * the same run without a store (to show what the store itself adds), for C 1.0.8 and our CLI,
 * run alternately in the same session; medians and ratios ours / C.
 * The targets of issue 5: at most 1.2x C's wall time for both. It also checks that the two
 * stores hold the same objects and the images are identical. Numbers only, never assertions.
 *
 * Each empty-store run starts after `sync`, so one run's dirty pages do not slow the next; the
 * copies' fsyncs dominate the empty-store case.
 *
 * Run: `CFS_ORACLE=/work/oracle deno run -A bench/store_bench.ts [--runs=2] [--threads=N]
 * [SRC]` (default source: /usr/share). The stores go in a temporary folder beside /tmp's.
 *
 * @module
 */

import { median, type RunStats as Timing, sameFile, timed } from "./_measure.ts";

async function run(cmd: string, args: string[]): Promise<void> {
  const r = await new Deno.Command(cmd, { args, stdout: "null", stderr: "inherit" }).output();
  if (!r.success) throw new Error(`${cmd} ${args.join(" ")} failed`);
}

/** `path size` of every object, sorted: enough to tell two stores apart cheaply. */
async function listing(store: string): Promise<string> {
  const out: string[] = [];
  for await (const top of Deno.readDir(store)) {
    if (!top.isDirectory) {
      out.push(top.name);
      continue;
    }
    for await (const e of Deno.readDir(`${store}/${top.name}`)) {
      out.push(`${top.name}/${e.name} ${(await Deno.stat(`${store}/${top.name}/${e.name}`)).size}`);
    }
  }
  return out.sort().join("\n");
}

function ratioLine(what: string, c: Timing[], ours: Timing[]): string {
  const f = (x: number) => x.toFixed(2);
  const [cw, ow] = [median(c.map((t) => t.wallS)), median(ours.map((t) => t.wallS))];
  const [cc, oc] = [median(c.map((t) => t.cpuS)), median(ours.map((t) => t.cpuS))];
  return `${what.padEnd(12)} | wall C ${f(cw)} s, ours ${f(ow)} s, ratio ${f(ow / cw)} | ` +
    `cpu C ${f(cc)} s, ours ${f(oc)} s, ratio ${f(oc / cc)}`;
}

if (import.meta.main) {
  const oracle = Deno.env.get("CFS_ORACLE");
  if (!oracle) {
    console.error("Set CFS_ORACLE to the folder of the C mkcomposefs");
    Deno.exit(2);
  }
  let runs = 2;
  let threads = navigator.hardwareConcurrency;
  let source = "/usr/share";
  for (const a of Deno.args) {
    if (a.startsWith("--runs=")) runs = Number(a.slice(7));
    else if (a.startsWith("--threads=")) threads = Number(a.slice(10));
    else source = a;
  }
  const cli = new URL("../cli.ts", import.meta.url).pathname;
  const work = await Deno.makeTempDir({ prefix: "cfs-storebench-" });
  const cmd = (tool: "c" | "ours") => {
    const args = [`--threads=${threads}`, `--digest-store=${work}/${tool}-store`, source];
    return tool === "c" ? [`${oracle}/mkcomposefs`, ...args, `${work}/c.img`] : [
      Deno.execPath(),
      "run",
      "--quiet",
      "--v8-flags=--max-semi-space-size=1",
      "--allow-read",
      "--allow-write",
      "--allow-ffi",
      cli,
      ...args,
      `${work}/ours.img`,
    ];
  };
  try {
    console.log(`source ${source}, threads=${threads}, runs=${runs} (medians; ratio = ours / C)`);
    // Warm the page cache with the source and Deno's module cache.
    await timed([`${oracle}/mkcomposefs`, `--threads=${threads}`, source, `${work}/warm.img`]);
    const ours = cmd("ours");
    await timed([...ours.slice(0, ours.indexOf(cli) + 1), "--print-digest-only", source]);
    const empty: Record<"c" | "ours", Timing[]> = { c: [], ours: [] };
    const full: Record<"c" | "ours", Timing[]> = { c: [], ours: [] };
    const none: Record<"c" | "ours", Timing[]> = { c: [], ours: [] };
    for (let i = 0; i < runs; i++) {
      for (const tool of ["c", "ours"] as const) {
        await Deno.remove(`${work}/${tool}-store`, { recursive: true }).catch(() => {});
        await run("sync", []);
        empty[tool].push(await timed(cmd(tool)));
        full[tool].push(await timed(cmd(tool)));
        // The same run without a store: what the store adds is the difference.
        none[tool].push(await timed(cmd(tool).filter((a) => !a.startsWith("--digest-store="))));
      }
    }
    console.log(ratioLine("empty store", empty.c, empty.ours));
    console.log(ratioLine("full store", full.c, full.ours));
    console.log(ratioLine("no store", none.c, none.ours));
    const added = (t: Record<"c" | "ours", Timing[]>) =>
      (median(t.ours.map((x) => x.wallS)) - median(none.ours.map((x) => x.wallS))).toFixed(2) +
      " s ours, " +
      (median(t.c.map((x) => x.wallS)) - median(none.c.map((x) => x.wallS))).toFixed(2) + " s C";
    console.log(`wall added by the store: empty ${added(empty)}; full ${added(full)}`);
    const sameStore = await listing(`${work}/c-store`) === await listing(`${work}/ours-store`);
    const sameImage = await sameFile(`${work}/c.img`, `${work}/ours.img`);
    console.log(
      `same objects: ${sameStore ? "yes" : "NO"}, identical images: ${sameImage ? "yes" : "NO"}`,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
