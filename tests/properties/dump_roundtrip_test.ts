/**
 * Property: printing a random tree gives a canonical dump, and parsing that dump gives the tree
 * back (`parseDump(printDump(t)) = t`, so `printDump ∘ parseDump` is the identity on canonical
 * dumps), in strict and non-strict mode. Trees cover binary and 255-byte names, symlinks up to
 * 4095 bytes, inline content up to 5000 bytes, binary xattr keys and values with `=`, hardlinks
 * (chains too), devices, fifos, sockets, whiteouts, sizes up to 2^64 - 1, negative mtimes, nsec
 * of 10^9 and more, ids above 2^16 and 2^32 - 1.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  addChild,
  createNode,
  findChild,
  type Node,
  nodePath,
  resolveLink,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFREG,
  S_IFSOCK,
  setXattr,
} from "../../spec/tree/node.ts";
import { parseDump, printDump } from "../../spec/dump/mod.ts";

const SEED = 0x0c0ffee;
const RUNS = 300;

const noSlash = (b: Uint8Array) => b.map((x) => (x === 0x2f ? 0x2e : x));
const isDot = (n: Uint8Array) =>
  (n.length === 1 && n[0] === 0x2e) || (n.length === 2 && n[0] === 0x2e && n[1] === 0x2e);
const bytesNoNul = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max, min: 1, max: 255 });

const nameArb = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8, min: 0x61, max: 0x66 }) },
  { weight: 2, arbitrary: bytesNoNul(1, 40).map(noSlash) },
  { weight: 1, arbitrary: fc.constantFrom("-", " ", "=", "\\", "a b", "-x").map(ascii) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 250, max: 255 }).chain((n) => bytesNoNul(n, n)).map(noSlash),
  },
).filter((n) => !isDot(n));

const u32Arb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 70000 }),
  fc.constantFrom(0xffff, 0x10000, 0xffffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const u64Arb = fc.oneof(
  fc.bigInt({ min: 0n, max: 5000n }),
  fc.constantFrom(2n ** 53n, 2n ** 63n, 2n ** 64n - 1n),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);
const secArb = fc.oneof(
  fc.bigInt({ min: -5n, max: 2000000000n }),
  fc.constantFrom(-(2n ** 63n), 2n ** 63n - 1n, -1n),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
);
const nsecArb = fc.oneof(
  fc.integer({ min: 0, max: 999999999 }),
  fc.constantFrom(1000000000, 0xffffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const permArb = fc.integer({ min: 0, max: 0o7777 });
const payloadArb = fc.oneof(bytesNoNul(0, 80), fc.constant(ascii("-")), bytesNoNul(4000, 4095));
const digestArb = fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { freq: 2 });

const xattrKeyArb = fc.oneof(
  fc.constantFrom("user.a", "trusted.overlay.x", "security.selinux", "k=v", "-").map(ascii),
  bytesNoNul(1, 40),
  bytesNoNul(255, 255),
);
const xattrValueArb = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom("-", "=", "a=b", "", " ").map(ascii) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1000, maxLength: 6000 }) },
);
const xattrsArb = fc.uniqueArray(fc.record({ key: xattrKeyArb, value: xattrValueArb }), {
  maxLength: 5,
  selector: (x) => String.fromCharCode(...x.key),
});

const common = { nlink: u32Arb, uid: u32Arb, gid: u32Arb, mtimeSec: secArb, mtimeNsec: nsecArb };

/** One entry: a kind, its fields, and where it goes (indexes wrap around what exists). */
const entryArb = fc.record({
  parent: fc.nat(),
  name: nameArb,
  xattrs: xattrsArb,
  link: fc.nat(),
  node: fc.oneof(
    fc.record({
      type: fc.constant(S_IFDIR),
      perm: permArb,
      size: u64Arb,
      payload: fc.option(payloadArb),
      digest: digestArb,
      ...common,
    }),
    fc.record({
      type: fc.constant(S_IFREG),
      perm: permArb,
      content: fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.uint8Array({ minLength: 4900, maxLength: 5000 }),
      ),
      payload: fc.option(payloadArb),
      digest: digestArb,
      ...common,
    }),
    fc.record({
      type: fc.constant(S_IFREG),
      perm: permArb,
      size: fc.bigInt({ min: 0n, max: 2n ** 53n }),
      payload: fc.option(payloadArb),
      digest: digestArb,
      ...common,
    }),
    fc.record({
      type: fc.constant(S_IFLNK),
      perm: permArb,
      target: fc.oneof(bytesNoNul(1, 60), bytesNoNul(4000, 4095)),
      ...common,
    }),
    fc.record({
      type: fc.constantFrom(S_IFCHR, S_IFBLK),
      perm: permArb,
      rdev: u32Arb,
      size: u64Arb,
      ...common,
    }),
    fc.record({ type: fc.constantFrom(S_IFIFO, S_IFSOCK), perm: permArb, size: u64Arb, ...common }),
    fc.constant({ type: -1 }), // a hardlink to an earlier non-directory
  ),
});

type Entry = typeof entryArb extends fc.Arbitrary<infer T> ? T : never;

function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function makeNode(e: Entry["node"]): Node {
  if (!("perm" in e)) throw new RangeError("Not a plain node");
  const n = createNode(e.type | e.perm, {
    nlink: e.nlink,
    uid: e.uid,
    gid: e.gid,
    mtimeSec: e.mtimeSec,
    mtimeNsec: e.mtimeNsec,
  });
  if ("size" in e) n.size = e.size;
  if ("rdev" in e) n.rdev = e.rdev;
  if ("payload" in e) n.payload = e.payload;
  if ("digest" in e) n.digest = e.digest;
  if ("content" in e) {
    n.content = e.content;
    n.size = BigInt(e.content.length);
  }
  if ("target" in e) {
    n.payload = e.target;
    n.size = BigInt(e.target.length);
  }
  return n;
}

/** Builds a valid tree: parents exist, names are unique, hardlinks point at earlier files. */
function buildTree(rootEntry: Entry, entries: Entry[]): Node {
  const root = rootEntry.node.type === S_IFDIR
    ? makeNode(rootEntry.node)
    : createNode(S_IFDIR | 0o755);
  const dirs = [root];
  const files: Node[] = [];
  for (const e of entries) {
    const parent = dirs[e.parent % dirs.length]!;
    if (findChild(parent, e.name) !== undefined) continue;
    let node: Node;
    if (e.node.type === -1) {
      if (files.length === 0) continue;
      node = createNode(S_IFREG | 0o644);
      node.linkTo = files[e.link % files.length]!;
    } else {
      node = makeNode(e.node);
      for (const x of e.xattrs) setXattr(node, x.key, x.value);
    }
    addChild(parent, node, e.name);
    if (e.node.type === S_IFDIR) dirs.push(node);
    else files.push(node); // hardlinks too: chains
  }
  for (const x of rootEntry.xattrs) setXattr(root, x.key, x.value);
  return root;
}

/** Field-by-field equality of the parsed tree with the generated one. */
function assertSameTree(got: Node, want: Node): void {
  assert.deepEqual(got.name, want.name);
  if (want.linkTo !== null) {
    assert.ok(got.linkTo !== null);
    assert.deepEqual(nodePath(got.linkTo), nodePath(resolveLink(want)));
    return;
  }
  const fields = (n: Node) => ({
    mode: n.mode,
    nlink: n.nlink,
    uid: n.uid,
    gid: n.gid,
    rdev: n.rdev,
    size: n.size,
    mtimeSec: n.mtimeSec,
    mtimeNsec: n.mtimeNsec,
    payload: n.payload,
    content: n.content,
    digest: n.digest,
    xattrs: n.xattrs,
    xattrBudget: n.xattrBudget,
    linkTo: n.linkTo,
  });
  assert.deepEqual(fields(got), fields(want));
  assert.equal(got.children.length, want.children.length);
  for (let i = 0; i < want.children.length; i++) {
    assertSameTree(got.children[i]!, want.children[i]!);
  }
}

Deno.test("parseDump() inverts printDump() on random trees, strict and not", () => {
  fc.assert(
    fc.property(
      entryArb,
      fc.array(entryArb, { maxLength: 40, size: "medium" }),
      (rootEntry, entries) => {
        const tree = buildTree(rootEntry, entries);
        const text = printDump(tree);
        for (const strict of [false, true]) {
          const parsed = parseDump(text, { strict });
          assertSameTree(parsed, tree);
          assert.deepEqual(printDump(parsed), text);
        }
      },
    ),
    { seed: SEED, numRuns: RUNS },
  );
});
