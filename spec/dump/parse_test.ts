import assert from "node:assert/strict";
import { S_IFCHR, S_IFLNK, S_IFREG } from "../tree/node.ts";
import type { Node } from "../tree/node.ts";
import { parseDump } from "./parse.ts";
import { file, latin1, R } from "./_test_cases.ts";

function parse(dump: string, strict = false): Node {
  return parseDump(latin1(dump), { strict });
}

/** The only child of the root (or the named one). */
function child(root: Node, name?: string): Node {
  const kids = name === undefined
    ? root.children
    : root.children.filter((c) => String.fromCharCode(...c.name) === name);
  assert.equal(kids.length, 1);
  return kids[0]!;
}

const text = (b: Uint8Array | null) => b === null ? null : String.fromCharCode(...b);

Deno.test("parseDump() reads every field of a line", () => {
  const digest = "00112233445566778899aabbccddeeffFFEEDDCCBBAA99887766554433221100";
  const root = parse(R + `/a 5 100644 3 1000 100 0 1700000000.123 ab/cd - ${digest} user.x=1\n`);
  const a = child(root);
  assert.equal(a.mode, S_IFREG | 0o644);
  assert.equal(a.size, 5n);
  assert.equal(a.nlink, 3);
  assert.equal(a.uid, 1000);
  assert.equal(a.gid, 100);
  assert.equal(a.rdev, 0);
  assert.equal(a.mtimeSec, 1700000000n);
  assert.equal(a.mtimeNsec, 123);
  assert.equal(text(a.payload), "ab/cd");
  assert.equal(a.content, null);
  assert.deepEqual(a.digest, Uint8Array.from(digest.match(/../g)!.map((h) => parseInt(h, 16))));
  assert.deepEqual(a.xattrs, [{ key: latin1("user.x"), value: latin1("1") }]);
  assert.equal(a.linkTo, null);
  assert.equal(root.mode, 0o40755);
  assert.equal(root.parent, null);
  assert.equal(a.parent, root);
});

Deno.test("parseDump() reads numbers like strtoull: sign, whitespace, wrap and clamp", () => {
  const a = child(parse(R + "/a +3 \t100644 \v+1 \f7 \r8 0 \t-1.+5 - abc -\n"));
  assert.deepEqual([a.size, a.mode, a.nlink, a.uid, a.gid], [3n, 0o100644, 1, 7, 8]);
  assert.deepEqual([a.mtimeSec, a.mtimeNsec], [-1n, 5]);
  const b = child(
    parse(
      R +
        "/b 0 100644 -1 -4294967295 99999999999999999999999 0 -99999999999999999999999.4294967297 - - -\n",
    ),
  );
  assert.deepEqual([b.nlink, b.uid, b.gid], [0xffffffff, 1, 0xffffffff]);
  assert.deepEqual([b.mtimeSec, b.mtimeNsec], [-1n, 1]);
  const c = child(parse(R + "/c 0 40000100644 1 0 0 0 18446744073709551615.1999999999 - - -\n"));
  assert.equal(c.mode, 0o100644); // MODE is truncated to 32 bits, then validated
  assert.deepEqual([c.mtimeSec, c.mtimeNsec], [-1n, 1999999999]);
  const d = child(parse(R + "/d 9223372036854775808 10644 1 0 0 0 9223372036854775807.0 - - -\n"));
  assert.equal(d.size, 9223372036854775808n);
  assert.equal(d.mtimeSec, 9223372036854775807n);
  const e = child(parse(R + "/e 18446744073709551615 10644 1 0 0 0 9223372036854775808.0 - - -\n"));
  assert.equal(e.size, 18446744073709551615n);
  assert.equal(e.mtimeSec, -9223372036854775808n);
});

Deno.test("parseDump() keeps C's GID/RDEV bug: bad values read as 0 when UID != 0", () => {
  const a = child(parse(R + "/a 0 20644 1 5 x y 0.0 - - -\n"));
  assert.deepEqual([a.uid, a.gid, a.rdev], [5, 0, 0]);
  // UID 2^32 is non-zero as a u64 but stored as 0.
  const b = child(parse(R + "/b 0 100644 1 4294967296 x 0 0.0 - - -\n"));
  assert.deepEqual([b.uid, b.gid], [0, 0]);
});

Deno.test("parseDump() stores RDEV only for devices, truncated to 32 bits", () => {
  const root = parse(
    R +
      "/c 0 20644 1 0 0 4294967297 0.0 - - -\n/b 0 60644 1 0 0 259 0.0 - - -\n/f 0 100644 1 0 0 7 0.0 - - -\n",
  );
  assert.equal(child(root, "c").rdev, 1);
  assert.equal(child(root, "c").mode & 0o170000, S_IFCHR);
  assert.equal(child(root, "b").rdev, 259);
  assert.equal(child(root, "f").rdev, 0);
});

Deno.test("parseDump() treats missing trailing fields as empty strings, not '-'", () => {
  const root = parse("/ 0 40755 2 0 0 0 0.0\n/a 0 100644 1 0 0 0 0.0\n");
  for (const n of [root, child(root)]) {
    assert.deepEqual(n.payload, new Uint8Array(0));
    assert.equal(n.content, null);
    assert.equal(n.digest, null); // "" is a malformed digest C never uses here
  }
});

Deno.test("parseDump() reads a lone '-' as absent and '\\x2d' as a dash", () => {
  const root = parse(R + "/a 1 100644 1 0 0 0 0.0 \\x2d \\x2d -\n/b 0 100644 1 0 0 0 0.0 - - -\n");
  assert.equal(text(child(root, "a").payload), "-");
  assert.equal(text(child(root, "a").content), "-");
  assert.equal(child(root, "b").payload, null);
});

Deno.test("parseDump() cuts PATH, PAYLOAD, DIGEST and xattr keys at NUL, not CONTENT or values", () => {
  const digest = "ab".repeat(32);
  const root = parse(
    R + `/a\\x00b 3 100644 1 0 0 0 0.0 x\\x00y \\x00\\xff= ${digest}\\x00zz k\\x00z=v\\x00w\n`,
  );
  const a = child(root, "a");
  assert.equal(text(a.payload), "x");
  assert.deepEqual(a.content, Uint8Array.of(0, 0xff, 0x3d));
  assert.deepEqual(a.digest, new Uint8Array(32).fill(0xab));
  assert.deepEqual(a.xattrs, [{ key: latin1("k"), value: latin1("v\0w") }]);
});

Deno.test("parseDump() stores content, and empty content as none", () => {
  const root = parse(
    R +
      "/a 3 100644 1 0 0 0 0.0 - abc -\n/e 0 100644 1 0 0 0 0.0 - - -\n/z 0 100644 1 0 0 0 0.0  \n",
  );
  assert.equal(text(child(root, "a").content), "abc");
  assert.equal(child(root, "a").size, 3n);
  assert.equal(child(root, "z").content, null);
  assert.equal(child(root, "z").size, 0n);
});

Deno.test("parseDump() sizes a symlink by its target and drops content (non-strict)", () => {
  const l = child(parse(R + "/l 1 120777 1 0 0 0 0.0 abc d -\n"));
  assert.equal(l.mode & 0o170000, S_IFLNK);
  assert.equal(l.size, 3n);
  assert.equal(text(l.payload), "abc");
  assert.equal(l.content, null);
  // Strict mode accepts a consistent symlink.
  assert.equal(child(parse(R + "/l 3 120777 1 0 0 0 0.0 abc - -\n", true)).size, 3n);
});

Deno.test("parseDump() ignores RDEV on non-devices outside strict mode", () => {
  assert.equal(child(parse(R + "/a 0 100644 1 0 0 5 0.0 - - -\n")).rdev, 0);
});

Deno.test("parseDump() resolves paths like C: relative, doubled slashes, sorted children", () => {
  const root = parse(
    R + "d 0 40755 2 0 0 0 0.0 - - -\n//d//x 0 100644 1 0 0 0 0.0 - - -\n" + file("/b") +
      file("/a"),
  );
  assert.deepEqual(root.children.map((c) => text(c.name)), ["a", "b", "d"]);
  assert.equal(text(child(child(root, "d")).name), "x");
  const raw = child(parse(R + "/\xe9\t\r 0 100644 1 0 0 0 0.0 - - -\n"));
  assert.deepEqual(raw.name, Uint8Array.of(0xe9, 9, 13));
});

Deno.test("parseDump() sets xattrs like C: split at the first '=', the last value wins", () => {
  const a = child(parse(R + file("/a", " user.k=a=b user.k\\x3dq=1 user.k=2 ")));
  // C's unset moves the last entry into the hole, then appends.
  assert.deepEqual(a.xattrs.map((x) => [text(x.key), text(x.value)]), [
    ["user.k=q", "1"],
    ["user.k", "2"],
  ]);
  assert.equal(a.xattrBudget, 12 + (7 + 8 + 1) + (7 + 6 + 1));
});

Deno.test("parseDump() returns views of the input for unescaped fields", () => {
  const input = latin1(R + "/a 0 100644 1 0 0 0 0.0 pay - - user.k=v\n");
  const a = parseDump(input).children[0]!;
  assert.equal(a.name.buffer, input.buffer);
  assert.equal(a.payload!.buffer, input.buffer);
  assert.equal(a.xattrs[0]!.value.buffer, input.buffer);
});

Deno.test("parseDump() links hardlinks to their targets after all input", () => {
  const root = parse(
    R + "/c 0 @100644 1 0 0 0 0.0 //b - - user.ignored=1\n" +
      "/a 0 100644 7 0 0 0 0.0 - - -\n/b 0 @120777 1 0 0 0 0.0 a - -\n/r 0 @100644 1 0 0 0 0.0 / - -\n",
  );
  const [a, b, c, r] = ["a", "b", "c", "r"].map((n) => child(root, n)) as [Node, Node, Node, Node];
  assert.equal(b.linkTo, a);
  assert.equal(c.linkTo, b);
  assert.equal(r.linkTo, root);
  assert.equal(a.nlink, 7); // the target keeps its own NLINK
  assert.equal(b.mode, 0o120777); // a hardlink entry keeps its own mode
  assert.deepEqual(c.xattrs, []);
  assert.equal(c.payload, null);
});

Deno.test("parseDump() lets a hardlink cycle through (the writer reports ELOOP)", () => {
  const root = parse(R + "/a 0 @100644 1 0 0 0 0.0 /b - -\n/b 0 @100644 1 0 0 0 0.0 /a - -\n");
  assert.equal(child(root, "a").linkTo, child(root, "b"));
  assert.equal(child(root, "b").linkTo, child(root, "a"));
});

Deno.test("parseDump() ignores a malformed digest where C never uses it", () => {
  const root = parse(
    R +
      "/d 0 40755 2 0 0 0 0.0 - - xyz\n/i 3 100644 1 0 0 0 0.0 - abc 12\n/e 0 100644 1 0 0 0 0.0 - - 1\n",
  );
  for (const n of root.children) assert.equal(n.digest, null);
});

Deno.test("parseDump() parses a large dump in one pass", () => {
  let dump = R;
  for (let i = 0; i < 20000; i++) dump += `/f${i} 0 100644 1 0 0 0 0.0 - - -\n`;
  assert.equal(parse(dump).children.length, 20000);
});
