import assert from "node:assert/strict";
import { printDump } from "../dump/print.ts";
import { buildImageFromDump } from "../image.ts";
import { S_IFCHR, S_IFDIR, S_IFMT, S_IFREG } from "../tree/node.ts";
import { ErofsFormatError } from "./errors.ts";
import { openImage, readImage } from "./read.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The image our writer (byte-identical to C, see tests/golden_test.ts) builds for a dump. */
function image(...lines: string[]): Uint8Array {
  return buildImageFromDump(enc.encode(lines.join("\n") + "\n"));
}

function dumpOf(img: Uint8Array, filter?: string[]): string {
  const options = filter === undefined ? {} : { filter: filter.map((f) => enc.encode(f)) };
  return dec.decode(printDump(readImage(img, options)));
}

const ROOT = "/ 4096 40755 2 0 0 0 0.0 - - -";

/** Overwrites `value` (little endian, `width` bytes) at `at` in a copy of `img`. */
function patch(img: Uint8Array, at: number, width: number, value: number): Uint8Array {
  const out = img.slice();
  for (let i = 0; i < width; i++) out[at + i] = Math.floor(value / 256 ** i) & 0xff;
  return out;
}

Deno.test("readImage() reads the worked example as C composefs-info dumps it", () => {
  const img = image(
    ROOT,
    "/a 3 100644 1 0 0 0 0.0 - abc -",
    "/b 100 100644 1 0 0 0 0.0 12/3456 - " + "00112233445566778899aabbccddeeff".repeat(2),
    "/l 3 120777 1 0 0 0 0.0 foo - -",
    "/w 0 20644 1 0 0 0 0.0 - - -",
  );
  assert.equal(
    dumpOf(img),
    [
      "/ 4096 40755 2 0 0 0 0.0 - - - trusted.overlay.opaque=x user.overlay.opaque=x",
      "/a 3 100644 1 0 0 0 0.0 - abc -",
      "/b 100 100644 1 0 0 0 0.0 12/3456\\xff\\xff - " +
      "00112233445566778899aabbccddeeff".repeat(2),
      "/l 3 120777 1 0 0 0 0.0 foo - -",
      "/w 0 20644 1 0 0 0 0.0 - - -",
      "",
    ].join("\n"),
  );
});

Deno.test("readImage() drops the 00-ff stubs and turns stored whiteouts back into 0:0 chardevs", () => {
  const root = readImage(image(ROOT, "/w 0 20600 1 0 0 0 0.0 - - -"));
  assert.deepEqual(root.children.map((c) => dec.decode(c.name)), ["w"]);
  const w = root.children[0]!;
  assert.equal(w.mode & S_IFMT, S_IFCHR);
  assert.equal(w.rdev, 0);
  assert.equal(w.xattrs.length, 0);
});

Deno.test("readImage() reproduces C's redirect-reading bug", () => {
  const img = image(
    ROOT,
    "/f 100 100644 1 0 0 0 0.0 abc - - user.x=1",
    "/g 100 100644 1 0 0 0 0.0 abcdefg - -",
    "/h 100 100644 1 0 0 0 0.0 abcdef - -",
  );
  const kids = readImage(img).children;
  assert.deepEqual(kids.map((k) => k.payload), [
    enc.encode("abc\x01\x01"),
    new Uint8Array([...enc.encode("abcdefg"), 0xff, 0xff]),
    enc.encode("abcdef"),
  ]);
});

Deno.test("readImage() gives compact inodes the build time and keeps extended mtimes", () => {
  const img = image(
    "/ 4096 40755 2 0 0 5 100.7 - - -",
    "/a 0 100644 1 0 0 0 100.7 - - -",
    "/b 0 100644 1 0 0 0 -3.9 - - -",
  );
  const o = openImage(img);
  const entries = o.readdir(o.inode(o.rootNid));
  const a = entries.find((e) => dec.decode(e.name) === "a");
  const b = entries.find((e) => dec.decode(e.name) === "b");
  assert.equal(o.inode(a!.nid).extended, true);
  assert.equal(o.inode(b!.nid).extended, false);
  assert.equal(
    dumpOf(img),
    [
      "/ 4096 40755 2 0 0 0 100.7 - - -",
      "/a 0 100644 1 0 0 0 100.7 - - -",
      "/b 0 100644 1 0 0 0 -3.9 - - -",
      "",
    ].join("\n"),
  );
});

Deno.test("readImage() makes the first entry in depth-first order the node, later ones links", () => {
  const img = image(
    ROOT,
    "/w 3 100644 1 0 0 0 0.0 - abc -",
    "/d 4096 40755 2 0 0 0 0.0 - - -",
    "/d/h 3 @100644 1 0 0 0 0.0 /w - -",
  );
  const root = readImage(img);
  const d = root.children[0]!;
  const w = root.children[1]!;
  assert.equal(dec.decode(d.children[0]!.name), "h");
  assert.equal(d.children[0]!.linkTo, null);
  assert.equal(w.linkTo, d.children[0]);
  assert.equal(w.mode, 0, "a link entry is a fresh C node: mode 0");
  assert.match(dumpOf(img), /\n\/w 3 @100644 1 0 0 0 0.0 \/d\/h abc -\n/);
  assert.match(dumpOf(img, ["w"]), /\n\/w 3 100644 1 0 0 0 0.0 - abc -\n$/);
});

Deno.test("readImage() applies filter to root entries only", () => {
  const img = image(
    ROOT,
    "/a 4096 40755 2 0 0 0 0.0 - - -",
    "/a/b 0 100644 1 0 0 0 0.0 - - -",
    "/b 0 100644 1 0 0 0 0.0 - - -",
  );
  assert.equal(
    dumpOf(img, ["a", "zz"]),
    "/ 4096 40755 3 0 0 0 0.0 - - -\n/a 40 40755 2 0 0 0 0.0 - - -\n/a/b 0 100644 1 0 0 0 0.0 - - -\n",
  );
});

Deno.test("readImage() lists inline xattrs before shared ones", () => {
  const img = image(
    ROOT,
    "/a 0 100644 1 0 0 0 0.0 - - - security.test=abc trusted.lnk=v",
    "/b 0 100644 1 0 0 0 0.0 - - - security.test=abc",
  );
  const a = readImage(img).children[0]!;
  assert.deepEqual(a.xattrs.map((x) => dec.decode(x.key)), ["trusted.lnk", "security.test"]);
});

Deno.test("readImage() reads a directory hardlink as a link entry and terminates", () => {
  const img = image(
    ROOT,
    "/d 4096 40755 2 0 0 0 0.0 - - -",
    // C refuses a directory mode on a hardlink line, not a directory target.
    "/d/up 0 @100644 1 0 0 0 0.0 / - -",
    "/d/self 0 @100644 1 0 0 0 0.0 /d - -",
  );
  const root = readImage(img);
  const d = root.children[0]!;
  assert.equal(d.mode & S_IFMT, S_IFDIR);
  assert.deepEqual(d.children.map((c) => c.linkTo), [d, root]);
  assert.equal(
    dumpOf(img).split("\n").slice(2).join("\n"),
    "/d/self 57 @40755 2 0 0 0 0.0 /d - -\n/d/up 4096 @40755 3 0 0 0 0.0  - -\n",
  );
});

Deno.test("readImage() keeps inline content, with size bytes of it printed", () => {
  const content = "x".repeat(4097);
  const root = readImage(image(ROOT, `/f 4097 100644 1 0 0 0 0.0 - ${content} -`));
  const f = root.children[0]!;
  assert.equal(f.mode & S_IFMT, S_IFREG);
  assert.equal(dec.decode(f.content!), content);
});

Deno.test("readImage() rejects images C rejects, with C's errno", () => {
  const good = image(ROOT);
  const cases: [string, Uint8Array, string][] = [
    ["short", good.slice(0, 4095), "EINVAL"],
    ["header magic", patch(good, 0, 4, 1), "EINVAL"],
    ["header version", patch(good, 4, 4, 2), "ENOTSUP"],
    ["erofs magic", patch(good, 1024, 4, 0), "EINVAL"],
    ["root is a stub", patch(good, 1024 + 0x0e, 2, 38), "ENOTSUP"],
    ["empty xattr key", patch(good, 1152 + 32 + 12, 2, 0), "ERANGE"],
    ["unknown xattr index", patch(good, 1152 + 32 + 13, 1, 9), "EINVAL"],
    ["nameoff not a multiple of 12", patch(good, 3 * 4096 + 8, 2, 13), "EINVAL"],
  ];
  for (const [what, img, code] of cases) {
    assert.throws(
      () => readImage(img),
      (e) => e instanceof ErofsFormatError && e.code === code,
      what,
    );
  }
});

Deno.test("readImage() rejects duplicate and over-long names, overlapping inodes, shared blocks", () => {
  const img = image(ROOT, "/aa 0 100644 1 0 0 0 0.0 - - -", "/ab 0 100644 1 0 0 0 0.0 - - -");
  const root = openImage(img);
  const entries = root.readdir(root.inode(root.rootNid));
  const ab = entries.find((e) => dec.decode(e.name) === "ab")!;
  // Rename "ab" to "aa": C's add_child fails with EEXIST.
  const dup = img.slice();
  dup[ab.name.byteOffset + 1] = 0x61;
  assert.throws(() => readImage(dup), { code: "EEXIST" });
  // Give "aa" (just before "ab") a 40-byte inline tail: it covers the inode of "ab".
  const aa = entries.find((e) => dec.decode(e.name) === "aa")!;
  const aaIno = root.inode(aa.nid);
  assert.equal(root.inode(ab.nid).offset, aaIno.offset + 32);
  const overlap = patch(patch(img, aaIno.offset, 2, 2 << 1), aaIno.offset + 8, 4, 40);
  assert.throws(() => readImage(overlap), { code: "EINVAL", structure: "inode", nid: ab.nid });
  // The last name of a block ends at the first NUL: fill the padding after "zz".
  const zz = image(ROOT, "/zz 0 100644 1 0 0 0 0.0 - - -");
  const oz = openImage(zz);
  const last = oz.readdir(oz.inode(oz.rootNid)).at(-1)!;
  assert.equal(dec.decode(last.name), "zz");
  const long = zz.slice();
  long.fill(0x61, last.name.byteOffset + 2, last.name.byteOffset + 2 + 300);
  assert.throws(() => readImage(long), { code: "ENAMETOOLONG" });
  // A second directory sharing the root's dirent block.
  const two = image(ROOT, "/d 4096 40755 2 0 0 0 0.0 - - -", ...manyFiles("/d/", 200));
  const o = openImage(two);
  const d = o.inode(o.readdir(o.inode(o.rootNid)).find((e) => dec.decode(e.name) === "d")!.nid);
  const rootBlock = o.inode(o.rootNid).iU;
  assert.throws(() => readImage(patch(two, d.offset + 16, 4, rootBlock)), {
    code: "EINVAL",
    structure: "raw_blkaddr",
  });
});

function manyFiles(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}f${i} 0 100644 1 0 0 0 0.0 - - -`);
}

Deno.test("readImage() skips a last inline xattr entry of 4 bytes, as C's loop does", () => {
  const img = image(
    ROOT,
    "/a 0 100644 1 0 0 0 0.0 - - - system.posix_acl_access=",
    "/b 0 100644 1 0 0 0 0.0 - - - system.posix_acl_default= user.z=1",
  );
  assert.equal(
    dumpOf(img).split("\n").slice(1).join("\n"),
    "/a 0 100644 1 0 0 0 0.0 - - -\n" +
      "/b 0 100644 1 0 0 0 0.0 - - - system.posix_acl_default= user.z=1\n",
  );
});
