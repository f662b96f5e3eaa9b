/**
 * `--digest-store` against the C tool: for random trees on disk (the arbitraries of the
 * directory tests), `mkcomposefs --threads=T --digest-store=S SRC IMG` of C 1.0.8 and of our
 * CLI, run under the same umask, must leave the same store (names, types, modes, sizes and
 * bytes) and the same image; a second run into the full store changes nothing.
 *
 * Needs `CFS_ORACLE` and `--allow-ffi`. `CFS_STORE_RUNS` sets the number of trees (default 12),
 * `CFS_STORE_SEED` the seed.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import * as libc from "../../src/fs/libc.ts";
import { diskTreeArb, isRoot, showTree, writeDiskTree } from "../_disk_tree.ts";
import { firstDifference, oracleDir } from "../_oracle.ts";
import { listStore, runWithUmask, tempLeftovers, toolArgv } from "../_store.ts";

const oracle = oracleDir();
const ffi = libc.ffiAvailable();
const RUNS = Number(Deno.env.get("CFS_STORE_RUNS") ?? 12);
const SEED = Number(Deno.env.get("CFS_STORE_SEED") ?? 0x5704e);

/** Runs both tools on `src` into fresh stores; returns a list of differences. */
async function compareStores(
  src: string,
  work: string,
  flags: string[],
  umask: number,
): Promise<string[]> {
  const diffs: string[] = [];
  const out: Record<string, { code: number; stderr: string; store: string[]; image: string }> = {};
  for (const tool of ["c", "ours"] as const) {
    const store = `${work}/${tool}-store`;
    const img = `${work}/${tool}.img`;
    const args = [...flags, `--digest-store=${store}`, src, img];
    const r = await runWithUmask(toolArgv(tool, oracle, args), umask);
    out[tool] = { ...r, store: await listStore(store), image: img };
    // A second run into the full store: same exit, nothing changes.
    const again = await runWithUmask(toolArgv(tool, oracle, args), umask);
    if (again.code !== r.code) diffs.push(`${tool}: second run exited ${again.code}`);
    assert.deepEqual(await listStore(store), out[tool].store, `${tool}: second run changed`);
    assert.deepEqual(await tempLeftovers(store), [], `${tool}: temporary files left`);
  }
  const c = out.c!;
  const ours = out.ours!;
  if (c.code !== ours.code || c.stderr !== ours.stderr) {
    diffs.push(
      `exit/stderr: C ${c.code} ${JSON.stringify(c.stderr)}, ours ${ours.code} ${
        JSON.stringify(ours.stderr)
      }`,
    );
  }
  if (c.code === 0 && ours.code === 0) {
    const at = firstDifference(await Deno.readFile(c.image), await Deno.readFile(ours.image));
    if (at >= 0) diffs.push(`images differ at byte ${at}`);
  }
  const onlyC = c.store.filter((l) => !ours.store.includes(l));
  const onlyOurs = ours.store.filter((l) => !c.store.includes(l));
  if (onlyC.length > 0 || onlyOurs.length > 0) {
    diffs.push(
      `stores differ:\n  only C: ${onlyC.join("\n    ")}\n  only ours: ${onlyOurs.join("\n    ")}`,
    );
  }
  return diffs;
}

Deno.test({
  name: "mkcomposefs --digest-store leaves C's objects and image for random trees",
  ignore: !oracle || !ffi,
  fn: async () => {
    let cases = 0;
    let objects = 0;
    await fc.assert(
      fc.asyncProperty(
        diskTreeArb({ root: isRoot() }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(0o022, 0o027, 0o002, 0o077),
        fc.boolean(),
        async (entries, threads, umask, epoch) => {
          const work = await Deno.makeTempDir({ prefix: "cfs-storediff-" });
          try {
            const src = `${work}/src`;
            await Deno.mkdir(src);
            writeDiskTree(src, entries);
            const flags = [`--threads=${threads}`, ...(epoch ? ["--use-epoch"] : [])];
            const diffs = await compareStores(src, work, flags, umask);
            if (diffs.length > 0) {
              throw new Error(
                `threads ${threads} umask ${umask.toString(8)}:\n${diffs.join("\n")}\ntree:\n${
                  showTree(entries)
                }`,
              );
            }
            cases++;
            objects += (await listStore(`${work}/ours-store`)).filter((l) => / file /.test(l))
              .length;
          } finally {
            await Deno.remove(work, { recursive: true });
          }
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(`  ${cases} trees compared, ${objects} objects`);
  },
});

Deno.test({
  name: "mkcomposefs --digest-store matches C on fixed cases (relative, empty and odd PATHs)",
  ignore: !oracle || !ffi,
  fn: async () => {
    const work = await Deno.makeTempDir({ prefix: "cfs-storediff-" });
    try {
      const src = `${work}/src`;
      await Deno.mkdir(`${src}/d`, { recursive: true });
      for (const [name, size] of [["a", 65], ["d/b", 100000], ["d/c", 64], ["e", 0], ["f", 65]]) {
        await Deno.writeFile(`${src}/${name}`, new Uint8Array(size as number).fill(7));
      }
      for (const [what, path] of [["nested", "x/y/z"], ["trailing slashes", "s//"]]) {
        const failures: string[] = [];
        const listings: string[][] = [];
        for (const tool of ["c", "ours"] as const) {
          const cwd = `${work}/${tool}-cwd`;
          await Deno.mkdir(cwd);
          const argv = toolArgv(tool, oracle, [`--digest-store=${path}`, src, `${cwd}/img`]);
          const r = await new Deno.Command(argv[0]!, { args: argv.slice(1), cwd, stderr: "piped" })
            .output();
          if (!r.success) failures.push(`${tool}: ${new TextDecoder().decode(r.stderr)}`);
          await Deno.remove(`${cwd}/img`);
          listings.push(await listStore(cwd));
          await Deno.remove(cwd, { recursive: true });
        }
        assert.deepEqual(failures, [], what);
        assert.deepEqual(listings[1], listings[0], what);
      }
      // An empty PATH fills the current directory.
      const listings: string[][] = [];
      for (const tool of ["c", "ours"] as const) {
        const cwd = `${work}/${tool}-cwd`;
        await Deno.mkdir(cwd);
        const argv = toolArgv(tool, oracle, ["--digest-store=", src, `${work}/${tool}.img`]);
        const r = await new Deno.Command(argv[0]!, { args: argv.slice(1), cwd }).output();
        assert.ok(r.success, tool);
        listings.push(await listStore(cwd));
      }
      assert.deepEqual(listings[1], listings[0]);
      assert.equal(listings[0]!.filter((l) => / file /.test(l)).length, 2); // a and f are twins
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
