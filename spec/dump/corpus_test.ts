/**
 * The upstream composefs test assets through the dump parser and printer. The folder comes from
 * `CFS_CORPUS` (default `../shared/corpus/composefs-tests` beside the repository); the tests are
 * ignored when it is missing. With `CFS_ORACLE`, C-built images are dumped by C composefs-info
 * and our parse + print must give that text back byte for byte.
 */
import assert from "node:assert/strict";
import { DumpSyntaxError } from "./errors.ts";
import { parseDump } from "./parse.ts";
import { printDump } from "./print.ts";

const REPO = new URL("../../", import.meta.url);
const corpus = Deno.env.get("CFS_CORPUS") ??
  new URL("../shared/corpus/composefs-tests", REPO).pathname;
const oracle = Deno.env.get("CFS_ORACLE");
const present = (() => {
  try {
    return Deno.statSync(corpus).isDirectory;
  } catch {
    return false;
  }
})();

/** Assets upstream parses without `CFS_PARSE_STRICT` (corpus README). */
const LENIENT = new Set([
  "no-newline.dump",
  "longlink.dump",
  "honggfuzz-longlink-unterminated.dump",
]);

/** §1.11: the message C prints for each should-fail asset (non-strict). */
const SHOULD_FAIL: Record<string, string | null> = {
  "should-fail-big-inline.dump": "Inline content size 5004 exceeds maximum 5000",
  "should-fail-dir-hardlink.dump": "Directories can't be hardlinked",
  "should-fail-dot-name.dump": "Invalid . or .. in path: /.",
  "should-fail-dotdot-name.dump": "Invalid . or .. in path: /..",
  "should-fail-empty-link-name.dump": "Invalid symlink",
  "should-fail-empty-name.dump": "Can't add child",
  "should-fail-empty-xattr-key.dump": "Can't set xattr",
  "should-fail-honggfuzz-long-xattr.dump": "Can't set xattr",
  "should-fail-long-link.dump": "Invalid symlink",
  "should-fail-long-xattr-key.dump": "Too many xattrs",
  "should-fail-long-xattr-value.dump": "Invalid mode 644",
  "should-fail-no-ftype.dump": "Invalid mode 0",
  "should-fail-self-hardlink.dump": "Self-referential hardlink /037blockdev",
  // A writer error (EFBIG): the dump itself parses.
  "should-fail-too-big.dump": null,
};

const names = present
  ? [...Deno.readDirSync(corpus)].map((e) => e.name).filter((n) => /\.dump(\.gz)?$/.test(n)).sort()
  : [];

async function readAsset(name: string): Promise<Uint8Array> {
  const bytes = await Deno.readFile(`${corpus}/${name}`);
  if (!name.endsWith(".gz")) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test({
  name: "parseDump() rejects every should-fail asset with C's message",
  ignore: !present,
  async fn() {
    const failing = names.filter((n) => n.startsWith("should-fail-"));
    assert.deepEqual(failing, Object.keys(SHOULD_FAIL).sort());
    for (const name of failing) {
      const input = await readAsset(name);
      const want = SHOULD_FAIL[name]!;
      if (want === null) {
        parseDump(input);
        continue;
      }
      assert.throws(
        () => parseDump(input),
        (e) => e instanceof DumpSyntaxError && e.reason === want,
        name,
      );
    }
  },
});

Deno.test({
  name: "parseDump() accepts every upstream dump, and printDump() is stable on it",
  ignore: !present,
  async fn() {
    for (const name of names.filter((n) => !n.startsWith("should-fail-"))) {
      const input = await readAsset(name);
      const printed = printDump(parseDump(input, { strict: !LENIENT.has(name) }));
      assert.deepEqual(printDump(parseDump(printed)), printed, name);
    }
  },
});

Deno.test({
  name: "printDump() of a parsed `composefs-info dump` gives the same bytes",
  ignore: !present || !oracle,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      for (const name of names.filter((n) => !n.startsWith("should-fail-"))) {
        const image = `${dir}/image`;
        const mk = await new Deno.Command(`${oracle}/mkcomposefs`, {
          args: ["--from-file", "-", image],
          stdin: "piped",
          stderr: "piped",
        }).spawn();
        const w = mk.stdin.getWriter();
        await w.write(await readAsset(name));
        await w.close();
        assert.equal((await mk.output()).code, 0, name);
        const info = await new Deno.Command(`${oracle}/composefs-info`, { args: ["dump", image] })
          .output();
        assert.equal(info.code, 0, name);
        assert.deepEqual(printDump(parseDump(info.stdout)), info.stdout, name);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
