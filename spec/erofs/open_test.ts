import assert from "node:assert/strict";
import { ByteReader } from "../bytes/byte_reader.ts";
import { buildImageFromDump } from "../image.ts";
import { S_IFDIR, S_IFMT } from "../tree/node.ts";
import { ErofsFormatError } from "./errors.ts";
import { openImage } from "./open.ts";
import { type RawDirent, readDirBlock } from "./read_dir.ts";
import { readXattrEntry } from "./read_xattr.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

const WORKED = buildImageFromDump(enc.encode([
  "/ 4096 40755 2 0 0 0 0.0 - - -",
  "/a 3 100644 1 0 0 0 0.0 - abc -",
  "/b 100 100644 1 0 0 0 0.0 12/3456 - " + "00112233445566778899aabbccddeeff".repeat(2),
  "/l 3 120777 1 0 0 0 0.0 foo - -",
  "/w 0 20644 1 0 0 0 0.0 - - -",
  "",
].join("\n")));

function child(name: string) {
  const img = openImage(WORKED);
  const e = img.readdir(img.inode(img.rootNid)).find((d) => dec.decode(d.name) === name);
  assert.ok(e, name);
  return { img, ino: img.inode(e.nid), dirent: e };
}

Deno.test("openImage() decodes the header and superblock of the worked example", () => {
  const img = openImage(WORKED);
  assert.equal(img.header.composefsVersion, 1);
  assert.equal(img.rootNid, 36);
  assert.equal(img.superBlock.inos, 261n);
  assert.equal(img.superBlock.blocks * 4096, WORKED.length);
  assert.equal(img.metaStart, 0);
});

Deno.test("ErofsImage.inode() gives the root's fields", () => {
  const img = openImage(WORKED);
  const root = img.inode(36);
  assert.equal(root.offset, 1152);
  assert.equal(root.extended, false);
  assert.equal(root.mode & S_IFMT, S_IFDIR);
  assert.equal(root.size, 4096n);
  assert.equal(root.nlink, 2);
  assert.equal(root.tailOffset, root.xattrOffset + root.xattrSize);
});

Deno.test("ErofsImage.xattrs() returns the stored entries untranslated", () => {
  const img = openImage(WORKED);
  const keys = img.xattrs(img.inode(36)).map((x) => `${dec.decode(x.key)}=${dec.decode(x.value)}`);
  assert.deepEqual(keys, [
    "trusted.overlay.opaque=y",
    "trusted.overlay.overlay.opaque=x",
    "trusted.overlay.overlay.whiteouts=",
    "user.overlay.opaque=x",
    "user.overlay.whiteouts=",
  ]);
  const { ino } = child("b");
  const b = img.xattrs(ino);
  assert.deepEqual(b.map((x) => [x.index, dec.decode(x.suffix), x.valueSize]), [
    [4, "overlay.metacopy", 36],
    [4, "overlay.redirect", 8],
  ]);
});

Deno.test("ErofsImage.readdir() lists . and .. where they sort, with nids and types", () => {
  const img = openImage(WORKED);
  const entries = img.readdir(img.inode(36));
  assert.equal(entries.length, 2 + 256 + 4);
  assert.deepEqual(entries.slice(0, 3).map((e) => [dec.decode(e.name), e.nid, e.fileType]), [
    [".", 36, 2],
    ["..", 36, 2],
    ["00", entries[2]!.nid, 3],
  ]);
  assert.deepEqual(entries.slice(-2).map((e) => [dec.decode(e.name), e.fileType]), [
    ["l", 7],
    ["w", 1],
  ]);
});

Deno.test("ErofsImage.data() returns inline content and symlink targets", () => {
  const a = child("a");
  assert.equal(dec.decode(a.img.data(a.ino)), "abc");
  const l = child("l");
  assert.equal(dec.decode(l.img.data(l.ino)), "foo");
  assert.throws(() => a.img.chunks(a.ino), { code: "EINVAL", structure: "i_format" });
});

Deno.test("ErofsImage.chunks() reads the null chunk map of an external file", () => {
  const b = child("b");
  const c = b.img.chunks(b.ino);
  assert.equal(c.chunkbits, 12);
  assert.equal(c.indexes, false);
  assert.equal(c.count, 1);
  assert.deepEqual([...c.table], [0xff, 0xff, 0xff, 0xff]);
  assert.throws(() => b.img.data(b.ino), { code: "EINVAL", structure: "i_format" });
});

Deno.test("ErofsImage.inode() rejects a nid past the end", () => {
  const img = openImage(WORKED);
  assert.throws(() => img.inode(WORKED.length / 32), (e) => e instanceof ErofsFormatError);
  // The last slot holds a 32-byte compact inode, but not a 64-byte extended one.
  const last = WORKED.length / 32 - 1;
  assert.equal(img.inode(last).extended, false);
  const ext = WORKED.slice();
  ext[last * 32] = 1;
  assert.throws(() => openImage(ext).inode(last), { structure: "inode", nid: last });
});

Deno.test("readDirBlock() checks nameoff and ends the last name at a NUL", () => {
  const block = new Uint8Array(64);
  const v = new DataView(block.buffer);
  const put = (i: number, nid: number, nameoff: number) => {
    v.setUint32(i * 12, nid, true);
    v.setUint16(i * 12 + 8, nameoff, true);
  };
  put(0, 7, 24);
  put(1, 9, 26);
  block.set(enc.encode("abcd"), 24);
  const out: RawDirent[] = [];
  readDirBlock(new ByteReader(block), 0, 64, 1, out);
  assert.deepEqual(out.map((d) => [d.nid, dec.decode(d.name)]), [[7, "ab"], [9, "cd"]]);
  const bad = (nameoff0: number, nameoff1: number, size = 64) => {
    put(0, 7, nameoff0);
    put(1, 9, nameoff1);
    assert.throws(() => readDirBlock(new ByteReader(block), 0, size, 1, []), {
      code: "EINVAL",
      structure: "dirent",
    });
  };
  bad(25, 26); // not a multiple of 12
  bad(0, 26); // no entries
  bad(72, 80); // past the block
  bad(24, 23); // goes backwards
  bad(24, 65); // past the block
  bad(24, 26, 11); // block smaller than a dirent
});

Deno.test("readXattrEntry() rejects unknown prefixes and entries past their area", () => {
  const bytes = new Uint8Array([3, 7, 1, 0, 0x61, 0x62, 0x63, 0x78]);
  assert.throws(() => readXattrEntry(new ByteReader(bytes), 0, 8, false, 5), {
    code: "EINVAL",
    nid: 5,
  });
  bytes[1] = 5; // lustre.
  const x = readXattrEntry(new ByteReader(bytes), 0, 8, false, 5);
  assert.equal(dec.decode(x.key), "lustre.abc");
  assert.equal(dec.decode(x.value), "x");
  assert.equal(x.entrySize, 8);
  assert.throws(() => readXattrEntry(new ByteReader(bytes), 0, 7, true, 5), {
    structure: "shared xattr entry",
  });
});
