/**
 * Property: our writer followed by our reader gives back the tree of the dump, up to what the
 * format (and C's reader) does not keep: directory sizes and nlinks are the image's, device and
 * FIFO sizes read as 0, a whiteout has size 0, symlink sizes are the target's, the writer's
 * overlay marks are gone, a later entry of a hardlinked inode may become its node, an external
 * payload can gain up to two bytes (C's redirect-reading bug, composefs-format.md §6.4), and a
 * last inline xattr of 4 bytes is not read back (C's loop stops before it).
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { equalBytes, startsWith } from "../../spec/bytes/compare.ts";
import { parseDump } from "../../spec/dump/parse.ts";
import { readImage } from "../../spec/erofs/read.ts";
import { EROFS_XATTR_PREFIXES } from "../../spec/erofs/xattr.ts";
import { buildImageFromDump } from "../../spec/image.ts";
import {
  type Node,
  resolveLink,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from "../../spec/tree/node.ts";
import { dumpArb } from "../arbitraries.ts";

const dec = new TextDecoder();
const USER_OVERLAY = new TextEncoder().encode("user.overlay.");
const TRUSTED_OPAQUE = new TextEncoder().encode("trusted.overlay.opaque");

/** Every path of the tree with the node that owns its inode; null with a directory hardlink. */
function entries(root: Node): Map<string, Node> | null {
  const out = new Map<string, Node>();
  let dirLink = false;
  const walk = (n: Node, path: string): void => {
    const target = resolveLink(n);
    // Which entry holds a hardlinked directory's children depends on the order: skip those.
    if (n !== target && (target.mode & S_IFMT) === S_IFDIR) dirLink = true;
    out.set(path, target);
    for (const c of n.children) walk(c, `${path}/${Array.from(c.name).join(",")}`);
  };
  walk(root, "");
  return dirLink ? null : out;
}

/** A key that is a whole prefix: with an empty value its entry is 4 bytes long. */
const PREFIX_ONLY = new Set(EROFS_XATTR_PREFIXES.map((p) => p.prefix.join(",")));

/**
 * The xattrs a reader can give back, as sorted `key=value` strings: not the overlay marks, and
 * not a 4-byte entry, which C's reader skips when it is the last inline one.
 */
function keptXattrs(n: Node): string[] {
  return n.xattrs
    .filter((x) => !startsWith(x.key, USER_OVERLAY) && !equalBytes(x.key, TRUSTED_OPAQUE))
    .filter((x) => x.value.length > 0 || !PREFIX_ONLY.has(x.key.join(",")))
    .map((x) => `${x.key.join(",")}=${x.value.join(",")}`)
    .sort();
}

function assertSameEntry(path: string, want: Node, got: Node): void {
  const type = want.mode & S_IFMT;
  const where = `${path || "/"}`;
  assert.equal(got.mode & 0xffff, want.mode & 0xffff, `${where}: mode`);
  assert.deepEqual([got.uid, got.gid], [want.uid, want.gid], `${where}: ids`);
  assert.deepEqual(
    [got.mtimeSec, got.mtimeNsec],
    [want.mtimeSec, want.mtimeNsec],
    `${where}: mtime`,
  );
  if (type === S_IFCHR || type === S_IFBLK) assert.equal(got.rdev, want.rdev, `${where}: rdev`);
  if (type !== S_IFDIR) assert.equal(got.nlink, want.nlink, `${where}: nlink`);
  if (type === S_IFLNK) assert.deepEqual(got.payload, want.payload, `${where}: target`);
  if (type === S_IFREG) {
    assert.equal(got.size, want.size, `${where}: size`);
    const content = want.content !== null && want.content.length > 0 ? want.content : null;
    assert.deepEqual(got.content, content, `${where}: content`);
    const external = content === null && want.size > 0n;
    if (external) {
      assert.deepEqual(got.digest, want.digest, `${where}: digest`);
      const payload = want.payload !== null && want.payload.length > 0 ? want.payload : null;
      if (payload === null) assert.equal(got.payload, null, `${where}: payload`);
      else {
        assert.ok(got.payload !== null && startsWith(got.payload, payload), `${where}: payload`);
        assert.ok(got.payload.length - payload.length <= 2, `${where}: payload`);
      }
    }
  }
  assert.deepEqual(keptXattrs(got), keptXattrs(want), `${where}: xattrs`);
}

Deno.test("readImage() gives back the tree buildImageFromDump() wrote (fast-check)", () => {
  let checked = 0;
  fc.assert(
    fc.property(dumpArb({ maxDrafts: 30 }), (dump) => {
      let image: Uint8Array;
      try {
        image = buildImageFromDump(dump);
      } catch {
        return; // a dump C rejects too (tested elsewhere)
      }
      const want = entries(parseDump(dump));
      const got = entries(readImage(image));
      if (want === null || got === null) return;
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), dec.decode(dump));
      for (const [path, w] of want) assertSameEntry(path, w, got.get(path)!);
      checked++;
    }),
    { seed: 0x7ead, numRuns: 150 },
  );
  assert.ok(checked > 100, `only ${checked} dumps were compared`);
});
