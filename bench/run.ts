/**
 * `deno task bench`: every comparison with the C tool, one after the other, each printing its own
 * figures as ratios ours / C measured in the same run. Needs the oracle (CFS_ORACLE) and GNU time
 * for memory figures; the /usr and /usr/share cases take minutes.
 *
 *   deno task bench [NAME…]     NAME: fsverity, dump, info, dir, store (default: all present)
 *
 * @module
 */
const here = new URL(".", import.meta.url).pathname;
const BENCHES: Record<string, string[]> = {
  fsverity: ["fsverity.ts"],
  dump: ["mkcomposefs_dump.ts", "--runs=5"],
  info: ["composefs_info.ts"],
  dir: ["dir_bench.ts", "--runs=3", "--deno-flag=--v8-flags=--max-semi-space-size=1"],
  store: ["store_bench.ts"],
};
const wanted = Deno.args.length > 0 ? Deno.args : Object.keys(BENCHES);
for (const name of wanted) {
  const spec = BENCHES[name];
  if (spec === undefined) {
    console.error(`bench: unknown benchmark ${name} (${Object.keys(BENCHES).join(", ")})`);
    Deno.exit(1);
  }
  const [file, ...args] = spec as [string, ...string[]];
  if (!(await Deno.stat(here + file).then(() => true, () => false))) continue;
  console.log(`\n== ${name}: bench/${file} ${args.join(" ")}`);
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", here + file, ...args],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!r.success) console.log(`(bench/${file} exited with ${r.code})`);
}
