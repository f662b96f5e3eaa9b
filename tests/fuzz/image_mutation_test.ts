/**
 * Fuzz: valid images (built from golden dumps) with flipped bytes, truncations, swapped blocks
 * and absurd values written into inode, dirent, xattr and superblock fields. The reader must
 * return a tree or throw one of its typed errors (`ErofsFormatError`, `OutOfBoundsError`);
 * anything else (a `TypeError` from `undefined`, a `RangeError` from a DataView, a hang) is a
 * bug. A returned tree must print as a dump and a listing without throwing.
 *
 * Fixed seeds; about 12,000 mutations in total.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { OutOfBoundsError } from "../../spec/bytes/byte_reader.ts";
import { printDump } from "../../spec/dump/print.ts";
import { ErofsFormatError } from "../../spec/erofs/errors.ts";
import { type ErofsInodeInfo, openImage, readImage } from "../../spec/erofs/read.ts";
import { buildImageFromDump } from "../../spec/image.ts";
import { S_IFDIR, S_IFMT } from "../../spec/tree/node.ts";
import { listCases, readCaseDump } from "../../golden/_cases.ts";
import { printLs } from "../../src/cli/info_output.ts";

const BASES = [
  "worked_example",
  "whiteout_v1",
  "hardlink_chain",
  "hardlink_to_dir_and_root",
  "xattr_shared",
  "xattr_shared_over_128",
  "symlink_4000_with_xattrs",
  "inline_4097",
  "dir_multiblock",
  "external_size_2p53",
  "names_binary",
  "mtime_negative",
];

interface Base {
  name: string;
  image: Uint8Array;
  /** Offsets of fields worth corrupting, with their width in bytes. */
  fields: { at: number; width: 1 | 2 | 4 | 8 }[];
}

/** Walks a valid image with the raw API and lists the offsets of its structural fields. */
function fieldsOf(image: Uint8Array): Base["fields"] {
  const img = openImage(image);
  const fields: Base["fields"] = [
    { at: 1024 + 0x0e, width: 2 }, // root_nid
    { at: 1024 + 0x18, width: 8 }, // build_time
    { at: 1024 + 0x28, width: 4 }, // meta_blkaddr
    { at: 1024 + 0x2c, width: 4 }, // xattr_blkaddr
  ];
  const seen = new Set<number>();
  const todo = [img.rootNid];
  while (todo.length > 0) {
    const nid = todo.pop()!;
    if (seen.has(nid)) continue;
    seen.add(nid);
    const ino: ErofsInodeInfo = img.inode(nid);
    const o = ino.offset;
    fields.push(
      { at: o, width: 2 },
      { at: o + 2, width: 2 },
      { at: o + 4, width: 2 },
      { at: o + 8, width: ino.extended ? 8 : 4 },
      { at: o + 16, width: 4 },
    );
    for (const x of img.xattrs(ino)) {
      fields.push({ at: x.offset, width: 1 }, { at: x.offset + 1, width: 1 });
      fields.push({ at: x.offset + 2, width: 2 });
    }
    const h = img.xattrHeader(ino);
    if (h !== undefined) {
      fields.push({ at: ino.xattrOffset + 4, width: 1 });
      for (let i = 0; i < h.hSharedCount; i++) {
        fields.push({ at: ino.xattrOffset + 12 + 4 * i, width: 4 });
      }
    }
    if ((ino.mode & S_IFMT) === S_IFDIR) {
      for (const d of img.readdir(ino)) {
        fields.push({ at: d.offset, width: 8 }, { at: d.offset + 8, width: 2 });
        todo.push(d.nid);
      }
    }
  }
  return fields;
}

function loadBases(): Base[] {
  const cases = new Map(
    listCases(new URL("../../golden/", import.meta.url)).map((c) => [c.name, c]),
  );
  return BASES.map((name) => {
    const c = cases.get(name);
    if (c === undefined) throw new Error(`Cannot find golden case ${name}`);
    const image = buildImageFromDump(readCaseDump(c), c.options.build);
    return { name, image, fields: fieldsOf(image) };
  });
}

const bases = loadBases();

/** Reads a mutated image: a tree (printable) or a typed error, nothing else. */
function readsCleanly(image: Uint8Array): void {
  let root;
  try {
    root = readImage(image);
  } catch (e) {
    if (e instanceof ErofsFormatError || e instanceof OutOfBoundsError) return;
    throw e;
  }
  printDump(root);
  printLs(root);
}

const baseArb = fc.integer({ min: 0, max: bases.length - 1 });

/** Values that break assumptions: zeros, all ones, off-by-one, just past the image, random. */
function absurd(width: number, imageLength: number, kind: number, random: bigint): bigint {
  const max = (1n << BigInt(8 * width)) - 1n;
  const len = BigInt(imageLength);
  const values = [0n, 1n, max, max - 1n, max >> 1n, len, len / 32n, len / 4096n];
  return (values[kind] ?? random) & max;
}

function writeLE(b: Uint8Array, at: number, width: number, v: bigint): void {
  for (let i = 0; i < width && at + i < b.length; i++) {
    b[at + i] = Number((v >> BigInt(8 * i)) & 0xffn);
  }
}

Deno.test("readImage() survives flipped bytes", () => {
  fc.assert(
    fc.property(
      baseArb,
      fc.array(
        fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 255 })),
        {
          minLength: 1,
          maxLength: 8,
        },
      ),
      fc.boolean(),
      (bi, flips, metaOnly) => {
        const base = bases[bi]!;
        const image = base.image.slice();
        // Half the runs hit only the header, superblock and inode area, where most checks live.
        const span = metaOnly ? Math.min(image.length, 3 * 4096) : image.length;
        for (const [where, mask] of flips) image[Math.floor(where * (span - 1))]! ^= mask;
        readsCleanly(image);
      },
    ),
    { seed: 0x5eed1, numRuns: 4000 },
  );
});

Deno.test("readImage() survives truncation", () => {
  fc.assert(
    fc.property(baseArb, fc.double({ min: 0, max: 1, noNaN: true }), (bi, where) => {
      const base = bases[bi]!;
      readsCleanly(base.image.slice(0, Math.floor(where * base.image.length)));
    }),
    { seed: 0x5eed2, numRuns: 1500 },
  );
});

Deno.test("readImage() survives swapped and duplicated blocks", () => {
  fc.assert(
    fc.property(baseArb, fc.nat(), fc.nat(), fc.boolean(), (bi, x, y, copy) => {
      const base = bases[bi]!;
      const image = base.image.slice();
      const blocks = image.length / 4096;
      const a = (x % blocks) * 4096;
      const b = (y % blocks) * 4096;
      const blockA = image.slice(a, a + 4096);
      if (!copy) image.copyWithin(a, b, b + 4096);
      image.set(blockA, b);
      readsCleanly(image);
    }),
    { seed: 0x5eed3, numRuns: 1500 },
  );
});

Deno.test("readImage() survives absurd sizes, nids, offsets and counts", () => {
  fc.assert(
    fc.property(
      baseArb,
      fc.array(
        fc.tuple(fc.nat(), fc.nat({ max: 9 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
        { minLength: 1, maxLength: 3 },
      ),
      (bi, picks) => {
        const base = bases[bi]!;
        const image = base.image.slice();
        for (const [f, kind, random] of picks) {
          const field = base.fields[f % base.fields.length]!;
          writeLE(image, field.at, field.width, absurd(field.width, image.length, kind, random));
        }
        readsCleanly(image);
      },
    ),
    { seed: 0x5eed4, numRuns: 5000 },
  );
});

Deno.test("readImage() reads every fuzz base unchanged", () => {
  for (const b of bases) {
    assert.doesNotThrow(() => readImage(b.image), b.name);
    assert.ok(b.fields.length > 10, b.name);
  }
});
