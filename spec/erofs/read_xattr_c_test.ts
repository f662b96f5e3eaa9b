import assert from "node:assert/strict";
import { ByteReader } from "../bytes/byte_reader.ts";
import { createNode, type Node, S_IFCHR, S_IFDIR, S_IFMT, S_IFREG } from "../tree/node.ts";
import { ErofsFormatError } from "./errors.ts";
import { readXattrEntry } from "./read_xattr.ts";
import { applyXattrLikeC } from "./read_xattr_c.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One stored entry (index, suffix, value) followed by `after`, applied to `node`. */
function apply(
  node: Node,
  index: number,
  suffix: string | Uint8Array,
  value: string | Uint8Array,
  after: number[] = [],
): void {
  const s = typeof suffix === "string" ? enc.encode(suffix) : suffix;
  const v = typeof value === "string" ? enc.encode(value) : value;
  const bytes = new Uint8Array([
    s.length,
    index,
    v.length & 0xff,
    v.length >> 8,
    ...s,
    ...v,
    ...after,
  ]);
  const x = readXattrEntry(new ByteReader(bytes), 0, 4 + s.length + v.length, false, 1);
  applyXattrLikeC(node, x, bytes, 1);
}

const reg = () => createNode(S_IFREG | 0o644, { size: 100n });
const keys = (n: Node) => n.xattrs.map((x) => `${dec.decode(x.key)}=${dec.decode(x.value)}`);

Deno.test("applyXattrLikeC() turns redirect into the payload, reading up to 2 bytes past it", () => {
  let n = reg();
  apply(n, 4, "overlay.redirect", "/ab/cd");
  assert.equal(dec.decode(n.payload!), "ab/cd");
  n = reg();
  apply(n, 4, "overlay.redirect", "/abc", [1, 1, 0]);
  assert.deepEqual([...n.payload!], [...enc.encode("abc"), 1, 1]);
  n = reg();
  apply(n, 4, "overlay.redirect", "/abc", [9, 0, 7]);
  assert.deepEqual([...n.payload!], [...enc.encode("abc"), 9]);
  n = reg();
  // Without a leading slash (or of length 1) the value is taken as is, up to a NUL.
  apply(n, 4, "overlay.redirect", "x\0y");
  assert.equal(dec.decode(n.payload!), "x");
  n = reg();
  apply(n, 4, "overlay.redirect", "/");
  assert.equal(dec.decode(n.payload!), "/");
  // Bytes past the image read as NUL.
  n = reg();
  apply(n, 4, "overlay.redirect", "/abc", [0x41]);
  assert.equal(dec.decode(n.payload!), "abcA");
  const d = createNode(S_IFDIR | 0o755);
  apply(d, 4, "overlay.redirect", "/abc");
  assert.equal(d.payload, null);
  assert.equal(d.xattrs.length, 0);
});

Deno.test("applyXattrLikeC() takes the digest from a 36-byte metacopy only", () => {
  const digest = new Uint8Array(32).map((_, i) => i);
  const n = reg();
  apply(n, 4, "overlay.metacopy", new Uint8Array([0, 36, 0, 1, ...digest]));
  assert.deepEqual(n.digest, digest);
  const m = reg();
  apply(m, 4, "overlay.metacopy", "");
  assert.equal(m.digest, null);
  assert.equal(m.xattrs.length, 0);
});

Deno.test("applyXattrLikeC() turns an escaped whiteout on a file back into a 0:0 chardev", () => {
  const n = reg();
  n.content = enc.encode("abc");
  apply(n, 4, "overlay.overlay.whiteout", "");
  assert.equal(n.mode & S_IFMT, S_IFCHR);
  assert.equal(n.mode & 0o7777, 0o644);
  assert.equal(n.size, 0n);
  assert.equal(dec.decode(n.content!), "abc", "C leaves the content set");
  const d = createNode(S_IFDIR | 0o755);
  apply(d, 4, "overlay.overlay.whiteout", "");
  assert.deepEqual(keys(d), ["trusted.overlay.whiteout="]);
});

Deno.test("applyXattrLikeC() drops overlay marks, unescapes, keeps the rest", () => {
  const n = createNode(S_IFDIR | 0o755);
  apply(n, 4, "overlay.opaque", "y");
  apply(n, 4, "overlay.overlay.whiteouts", "");
  apply(n, 1, "overlay.whiteouts", "");
  apply(n, 1, "overlay.whiteout", "");
  apply(n, 4, "overlay.overlay.opaque", "x");
  apply(n, 1, "overlay.opaque", "x");
  apply(n, 4, "overlay.overlay.overlay.x", "1");
  apply(n, 0, "trusted.overlay.overlay.y", "2");
  apply(n, 0, "user.overlay.whiteout", "");
  apply(n, 6, "selinux", "label");
  apply(n, 2, "", "acl");
  assert.deepEqual(keys(n), [
    "trusted.overlay.opaque=x",
    "user.overlay.opaque=x",
    "trusted.overlay.overlay.x=1",
    "trusted.overlay.y=2",
    "security.selinux=label",
    "system.posix_acl_access=acl",
  ]);
});

Deno.test("applyXattrLikeC() cuts names at a NUL and lets the last value win, as C does", () => {
  const n = reg();
  apply(n, 1, "a", "1");
  apply(n, 1, "b", "2");
  apply(n, 1, "c", "3");
  apply(n, 1, new Uint8Array([0x61, 0, 0x7a]), "4");
  // C's unset moves the last entry into the hole, then appends.
  assert.deepEqual(keys(n), ["user.c=3", "user.b=2", "user.a=4"]);
  const m = reg();
  apply(m, 4, new Uint8Array([...enc.encode("overlay.redirect"), 0, 0x41]), "/xy");
  assert.equal(dec.decode(m.payload!), "xy");
});

Deno.test("applyXattrLikeC() fails with ERANGE on empty keys and a full budget", () => {
  assert.throws(
    () => apply(reg(), 0, "", "v"),
    (e) => e instanceof ErofsFormatError && e.code === "ERANGE",
  );
  assert.throws(() => apply(reg(), 0, new Uint8Array([0, 1]), "v"), { code: "ERANGE" });
  assert.throws(() => apply(reg(), 0, "k".repeat(256), "v"), { code: "ERANGE" });
  const n = reg();
  const big = new Uint8Array(30000);
  apply(n, 1, "a", big);
  apply(n, 1, "b", big);
  assert.throws(() => apply(n, 1, "c", big), { code: "ERANGE" });
});
