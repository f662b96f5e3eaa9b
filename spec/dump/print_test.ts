import assert from "node:assert/strict";
import {
  addChild,
  createNode,
  type Node,
  S_IFCHR,
  S_IFDIR,
  S_IFREG,
  setXattr,
} from "../tree/node.ts";
import { parseDump } from "./parse.ts";
import { printDump, printDumpEntry } from "./print.ts";
import { latin1, R } from "./_test_cases.ts";

const show = (b: Uint8Array) => String.fromCharCode(...b);

function tree(): Node {
  const root = createNode(S_IFDIR | 0o755, { nlink: 3, mtimeSec: -1n, mtimeNsec: 100 });
  const d = createNode(S_IFDIR | 0o700, { nlink: 2 });
  addChild(root, d, latin1("d"));
  addChild(d, createNode(S_IFREG | 0o644, { content: latin1("hi\n"), size: 3n }), latin1("x y"));
  addChild(
    root,
    createNode(S_IFCHR | 0o600, { rdev: 0xffffffff, size: 0xffffffffffffffffn }),
    latin1("c"),
  );
  return root;
}

Deno.test("printDump() prints DFS pre-order with children in order", () => {
  assert.equal(
    show(printDump(tree())),
    "/ 0 40755 3 0 0 0 -1.100 - - -\n" +
      "/c 18446744073709551615 20600 1 0 0 4294967295 0.0 - - -\n" +
      "/d 0 40700 2 0 0 0 0.0 - - -\n" +
      "/d/x\\x20y 3 100644 1 0 0 0 0.0 - hi\\n -\n",
  );
});

Deno.test("printDump() escapes PAYLOAD and CONTENT with LONE_DASH, xattrs with EQUAL", () => {
  const root = createNode(S_IFDIR | 0o755);
  const a = createNode(S_IFREG | 0o644, { payload: latin1("-"), content: latin1("-"), size: 1n });
  setXattr(a, latin1("user.a=b"), latin1("-"));
  setXattr(a, latin1("user.z"), latin1("x=y \x00"));
  addChild(root, a, latin1("a"));
  const e = createNode(S_IFREG | 0o644, { payload: new Uint8Array(0), content: new Uint8Array(0) });
  addChild(root, e, latin1("e"));
  const lines = show(printDump(root)).split("\n");
  assert.equal(
    lines[1],
    "/a 1 100644 1 0 0 0 0.0 \\x2d \\x2d - user.a\\x3db=- user.z=x\\x3dy\\x20\\x00",
  );
  assert.equal(lines[2], "/e 0 100644 1 0 0 0 0.0  - -");
});

Deno.test("printDump() prints the digest in lowercase hex", () => {
  const root = createNode(S_IFDIR | 0o755);
  const digest = Uint8Array.from({ length: 32 }, (_, i) => i * 8);
  addChild(
    root,
    createNode(S_IFREG | 0o644, { digest, size: 9n, payload: latin1("p") }),
    latin1("f"),
  );
  const line = show(printDump(root)).split("\n")[1];
  assert.equal(
    line,
    `/f 9 100644 1 0 0 0 0.0 p - ${
      [...digest].map((b) => b.toString(16).padStart(2, "0")).join("")
    }`,
  );
});

Deno.test("printDump() prints a hardlink with the final target's fields and path", () => {
  const root = parseDump(
    latin1(
      R + "/a 5 100644 2 1 2 0 3.4 ab/cd - - user.k=v\n" +
        "/b 0 @100644 1 0 0 0 0.0 /a - -\n/c 0 @120777 9 9 9 9 9.9 /b - -\n",
    ),
  );
  assert.equal(
    show(printDump(root)),
    R + "/a 5 100644 2 1 2 0 3.4 ab/cd - - user.k=v\n" +
      "/b 5 @100644 2 1 2 0 3.4 /a - - user.k=v\n/c 5 @100644 2 1 2 0 3.4 /a - - user.k=v\n",
  );
});

Deno.test("printDump() filters the root's children and always prints the root", () => {
  const root = tree();
  assert.equal(show(printDump(root, { filter: [latin1("d")] })).split("\n").length, 4);
  assert.equal(show(printDump(root, { filter: [] })), "/ 0 40755 3 0 0 0 -1.100 - - -\n");
  assert.equal(
    show(printDump(root, { filter: [latin1("c"), latin1("x y")] })).split("\n").length,
    3,
  );
});

Deno.test("printDumpEntry() prints one line at the given path", () => {
  const n = createNode(S_IFREG | 0o644, { size: 7n });
  assert.equal(show(printDumpEntry(n, latin1("/p q"))), "/p\\x20q 7 100644 1 0 0 0 0.0 - - -\n");
});

Deno.test("printDump() output parses back to the same text", () => {
  const text = R + "/a\\x20b 3 100644 1 0 0 0 0.0 \\x2d \\x00\\xff= - user.k\\x3d=\\n\n" +
    "/d 0 40755 2 0 0 0 0.0 - - -\n/d/l 3 120777 1 0 0 0 -5.1999999999 abc - -\n";
  assert.equal(show(printDump(parseDump(latin1(text)))), text);
});

Deno.test("printDump() prints a hardlink to the root with an empty path, as C does", () => {
  const root = parseDump(latin1(R + "/h 0 @100644 1 0 0 0 0.0 / - -\n"));
  assert.equal(show(printDump(root)).split("\n")[1], "/h 0 @40755 2 0 0 0 0.0  - -");
});

Deno.test("printDump() prints SIZE bytes of the content, as C does", () => {
  const root = createNode(S_IFDIR | 0o755);
  addChild(root, createNode(S_IFREG, { content: latin1("abc"), size: 0n }), latin1("w"));
  addChild(root, createNode(S_IFREG, { content: latin1("abc"), size: 2n }), latin1("x"));
  const lines = show(printDump(root)).split("\n");
  assert.equal(lines[1], "/w 0 100000 1 0 0 0 0.0 -  -");
  assert.equal(lines[2], "/x 2 100000 1 0 0 0 0.0 - ab -");
});
