/**
 * Differential: our composefs-info against C composefs-info 1.0.8 on images the C tool builds
 * from the golden dumps, the upstream corpus and random dumps, byte for byte on stdout (and on
 * stderr and exit code for the command-line errors). Ignored unless `CFS_ORACLE` is set.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { equalBytes } from "../../spec/bytes/compare.ts";
import { listCases, readCaseDump } from "../../golden/_cases.ts";
import { dumpArb } from "../arbitraries.ts";
import { firstLineDiff, type InfoRun, runCInfo, runOurInfo } from "../_info_cli.ts";
import { oracleDir, runMkcomposefs } from "../_oracle.ts";

const oracle = oracleDir();
const corpus = Deno.env.get("CFS_CORPUS") ??
  new URL("../../../shared/corpus/composefs-tests/", import.meta.url).pathname;

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function assertSameRun(ours: InfoRun, theirs: InfoRun, what: string): void {
  const diff = firstLineDiff(ours.stdout, theirs.stdout);
  assert.equal(diff, null, `${what}: stdout differs at ${diff}`);
  assert.equal(ours.stderr, theirs.stderr, `${what}: stderr`);
  assert.equal(ours.code, theirs.code, `${what}: exit code`);
}

/** Compares every read-only command of ours and C's on one image file. */
async function compareCommands(image: string, basedir: string, what: string): Promise<void> {
  for (
    const args of [
      ["dump", image],
      ["ls", image],
      ["objects", image],
      ["missing-objects", image],
      [`--basedir=${basedir}`, "missing-objects", image],
    ]
  ) {
    assertSameRun(runOurInfo(args), await runCInfo(args), `${what}: ${args.join(" ")}`);
  }
}

/** Builds the C image of `dump` into `path`; false when C rejects the dump. */
async function buildC(dump: Uint8Array, args: string[], path: string): Promise<boolean> {
  const r = await runMkcomposefs(dump, args);
  if (r.code !== 0) return false;
  await Deno.writeFile(path, r.stdout);
  return true;
}

/** A basedir holding every other object of `image`, one as a dangling symlink. */
async function makeBasedir(image: string, dir: string): Promise<void> {
  const objects = runOurInfo(["objects", image]).stdout;
  const names = new TextDecoder().decode(objects).split("\n").filter((n) => n !== "");
  for (let i = 0; i < names.length; i += 2) {
    const rel = names[i]!.replace(/^\/+/, "");
    if (rel === "" || rel.includes("\ufffd")) continue;
    const path = `${dir}/${rel}`;
    try {
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      if (i % 6 === 4) await Deno.symlink(`${dir}/nowhere`, path);
      else await Deno.writeFile(path, new Uint8Array(1));
    } catch {
      // Payloads such as "a/.." or one that is a prefix directory of another: leave missing.
    }
  }
}

Deno.test({
  name: "composefsInfo() prints what C composefs-info prints for every golden and upstream case",
  ignore: !oracle,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "cfs-info-" });
    try {
      const inputs: { name: string; dump: Uint8Array; args: string[] }[] = [];
      for (const c of listCases(new URL("../../golden/", import.meta.url))) {
        inputs.push({ name: c.name, dump: readCaseDump(c), args: c.options.cliArgs });
      }
      for (const e of Deno.readDirSync(corpus)) {
        if (!/\.dump(\.gz)?$/.test(e.name) || e.name.startsWith("should-fail")) continue;
        const raw = await Deno.readFile(`${corpus}/${e.name}`);
        inputs.push({
          name: e.name,
          dump: e.name.endsWith(".gz") ? await gunzip(raw) : raw,
          args: [],
        });
      }
      let compared = 0;
      for (const input of inputs) {
        const image = `${tmp}/${compared}.img`;
        if (!await buildC(input.dump, input.args, image)) continue;
        const basedir = `${tmp}/${compared}.objects`;
        await makeBasedir(image, basedir);
        await compareCommands(image, basedir, input.name);
        compared++;
      }
      assert.ok(compared > 50, `only ${compared} cases compared`);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "composefsInfo() prints what C prints for random dumps (fast-check)",
  ignore: !oracle,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "cfs-info-rand-" });
    const image = `${tmp}/r.img`;
    try {
      await fc.assert(
        fc.asyncProperty(dumpArb({ maxDrafts: 30 }), async (dump) => {
          fc.pre(await buildC(dump, [], image));
          for (const args of [["dump", image], ["ls", image], ["objects", image]]) {
            assertSameRun(runOurInfo(args), await runCInfo(args), args[0]!);
          }
        }),
        { seed: 0x1f0, numRuns: 60 },
      );
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "composefsInfo() applies --filter like C, hardlinks included",
  ignore: !oracle,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "cfs-info-filter-" });
    try {
      const dump = new TextEncoder().encode([
        "/ 4096 40755 2 0 0 0 0.0 - - -",
        "/a 4096 40755 2 0 0 0 0.0 - - -",
        "/a/f 100 100644 1 0 0 0 0.0 ab/cdef - -",
        "/b 4096 40755 2 0 0 0 0.0 - - -",
        "/b/g 0 @100644 1 0 0 0 0.0 /a/f - -",
        "/c 3 100644 1 0 0 0 0.0 - xyz -",
        "/d 100 100644 1 0 0 0 0.0 12/3456 - -",
        "",
      ].join("\n"));
      const image = `${tmp}/f.img`;
      assert.ok(await buildC(dump, [], image));
      for (
        const filters of [["a"], ["b"], ["b", "c"], ["nothere"], ["00"], ["d", "d"], ["."]]
      ) {
        for (const cmd of ["dump", "ls", "objects"]) {
          const args = [...filters.map((f) => `--filter=${f}`), cmd, image];
          assertSameRun(runOurInfo(args), await runCInfo(args), args.join(" "));
        }
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "composefsInfo() measure-file prints C's digests, empty file included",
  ignore: !oracle,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "cfs-info-measure-" });
    try {
      const files: string[] = [];
      for (const size of [0, 1, 4095, 4096, 4097, 8192, 8193, 128 * 4096, 128 * 4096 + 1]) {
        const data = new Uint8Array(size);
        for (let i = 0; i < size; i++) data[i] = (i * 7 + (i >> 12)) & 0xff;
        const path = `${tmp}/f${size}`;
        await Deno.writeFile(path, data);
        files.push(path);
        const args = ["measure-file", path];
        assertSameRun(runOurInfo(args), await runCInfo(args), `size ${size}`);
      }
      const all = ["measure-file", ...files];
      assertSameRun(runOurInfo(all), await runCInfo(all), "several files");
      for (const bad of [[...files.slice(0, 2), `${tmp}/missing`], [files[0]!, tmp]]) {
        const args = ["measure-file", ...bad];
        assertSameRun(runOurInfo(args), await runCInfo(args), args.join(" "));
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "composefsInfo() reports command-line and load errors as C does",
  ignore: !oracle,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "cfs-info-err-" });
    try {
      const image = `${tmp}/ok.img`;
      assert.ok(await buildC(new TextEncoder().encode("/ 0 40755 2 0 0 0 0.0 - - -\n"), [], image));
      await Deno.writeFile(`${tmp}/small`, new Uint8Array(100));
      await Deno.writeFile(`${tmp}/zeros`, new Uint8Array(8192));
      await Deno.writeFile(`${tmp}/empty`, new Uint8Array(0));
      const bytes = await Deno.readFile(image);
      bytes[4] = 2; // composefs header version
      await Deno.writeFile(`${tmp}/v2`, bytes);
      const cases = [
        [],
        ["--help"],
        ["--help=1", "ls"],
        ["--basedir"],
        ["ls", "--filter"],
        ["-x", "ls"],
        ["-"],
        ["foo", image],
        ["ls"],
        ["dump"],
        ["measure-file"],
        ["--filter=a/b", "dump", image],
        ["--filter=a", "--filter=/", "dump", image],
        [`--basedir=${tmp}/nothere`, "ls", image],
        [`--basedir=${image}`, "missing-objects", image],
        [`--basedir=${tmp}/nothere`, "measure-file", image],
        ["--bas", tmp, "missing-objects", image],
        // Several basedirs: C opens the whole string as one path.
        [`--basedir=${tmp}:${tmp}`, "missing-objects", image],
        [`--basedir=${tmp}/nothere`, `--basedir=${tmp}`, "missing-objects", image],
        ["--", "dump", image],
        ["dump", image, `${tmp}/missing`],
        ["dump", tmp],
        ["ls", `${tmp}/small`],
        ["ls", `${tmp}/zeros`],
        ["ls", `${tmp}/empty`],
        ["objects", image, `${tmp}/v2`],
      ];
      for (const args of cases) {
        assertSameRun(runOurInfo(args), await runCInfo(args), JSON.stringify(args));
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "composefsInfo() dump rebuilds the same image with C mkcomposefs",
  ignore: !oracle,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "cfs-info-rt-" });
    const image = `${tmp}/r.img`;
    try {
      await fc.assert(
        fc.asyncProperty(dumpArb({ maxDrafts: 25 }), async (dump) => {
          fc.pre(await buildC(dump, [], image));
          const original = await Deno.readFile(image);
          const theirs = (await runCInfo(["dump", image])).stdout;
          const ours = runOurInfo(["dump", image]).stdout;
          const a = await runMkcomposefs(ours);
          const b = await runMkcomposefs(theirs);
          // Where C's own dump rebuilds the image, ours must too.
          if (b.code === 0 && equalBytes(b.stdout, original)) {
            assert.equal(a.code, 0, a.stderr);
            assert.ok(equalBytes(a.stdout, original), "rebuilt image differs");
          }
        }),
        { seed: 0x2f1, numRuns: 30 },
      );
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
