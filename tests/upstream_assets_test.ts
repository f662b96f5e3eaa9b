/**
 * The upstream composefs test assets, read in place from `CFS_CORPUS` (default
 * `../shared/corpus/composefs-tests` beside the repository): each `NAME.dump[.gz]` must build to
 * the image whose sha256 is in `NAME.dump[.gz].sha256`, and each `should-fail-*.dump` must be
 * rejected. Ignored when the folder is absent.
 */

import assert from "node:assert/strict";
import { buildImageFromDump, type BuildOptions } from "../mod.ts";
import { sha256Hex } from "./_oracle.ts";

const DEFAULT_CORPUS = new URL("../../shared/corpus/composefs-tests/", import.meta.url);

/** Assets upstream runs without `CFS_PARSE_STRICT` (see the corpus README). */
const LENIENT = new Set([
  "no-newline.dump",
  "longlink.dump",
  "honggfuzz-longlink-unterminated.dump",
]);

function corpusDir(): string | undefined {
  const fromEnv = Deno.env.get("CFS_CORPUS");
  const dir = fromEnv ? fromEnv.replace(/\/*$/, "/") : DEFAULT_CORPUS.pathname;
  try {
    return Deno.statSync(dir).isDirectory ? dir : undefined;
  } catch {
    return undefined;
  }
}

function readTextOrUndefined(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Reads an asset, decompressing `.gz`. */
async function readAsset(dir: string, file: string): Promise<Uint8Array> {
  const bytes = Deno.readFileSync(dir + file);
  return file.endsWith(".gz") ? await gunzip(bytes) : bytes;
}

/** Build options for an asset: `NAME.dump.version` pins both versions; strict unless listed. */
function assetOptions(dir: string, file: string): BuildOptions {
  const dumpName = file.replace(/\.gz$/, "");
  const options: BuildOptions = { strict: !LENIENT.has(dumpName) };
  const version = readTextOrUndefined(`${dir}${dumpName}.version`) ??
    readTextOrUndefined(`${dir}${file}.version`);
  if (version !== undefined) {
    const v = Number(version.trim());
    assert.ok(Number.isInteger(v), `${dumpName}.version holds "${version.trim()}"`);
    options.minVersion = v;
    options.maxVersion = v;
  }
  return options;
}

const dir = corpusDir();
if (!dir) {
  Deno.test({
    name: "buildImageFromDump() builds the upstream assets (corpus absent)",
    ignore: true,
    fn() {},
  });
} else {
  const files = [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && /\.dump(\.gz)?$/.test(e.name))
    .map((e) => e.name)
    .sort();
  assert.ok(files.length > 0, `no assets in ${dir}`);

  for (const file of files.filter((f) => !f.startsWith("should-fail-"))) {
    Deno.test(`buildImageFromDump() builds upstream asset ${file}`, async () => {
      const expected = readTextOrUndefined(`${dir}${file}.sha256`)?.trim().slice(0, 64);
      assert.ok(expected, `${file}.sha256 is missing`);
      const options = assetOptions(dir, file);
      const image = buildImageFromDump(await readAsset(dir, file), options);
      assert.equal(sha256Hex(image), expected, `${file} with ${JSON.stringify(options)}`);
    });
  }

  for (const file of files.filter((f) => f.startsWith("should-fail-"))) {
    Deno.test(`buildImageFromDump() rejects upstream asset ${file}`, async () => {
      const dump = await readAsset(dir, file);
      assert.throws(() => buildImageFromDump(dump), Error);
    });
  }
}
