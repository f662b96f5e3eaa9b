import assert from "node:assert/strict";
import { addChild, createNode, S_IFDIR, S_IFLNK, S_IFREG } from "../../spec/tree/node.ts";
import {
  collectObjects,
  jsonBytes,
  printDumpJson,
  printLs,
  printLsJson,
  printObjects,
} from "./info_output.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function tree() {
  const root = createNode(S_IFDIR | 0o755, { nlink: 2 });
  const f = createNode(S_IFREG | 0o644, { size: 10n, payload: enc.encode("b/x") });
  const g = createNode(S_IFREG | 0o644, { size: 10n, payload: enc.encode("a b\t") });
  const l = createNode(S_IFLNK | 0o777, { size: 1n, payload: enc.encode("t") });
  const link = createNode(0);
  link.linkTo = f;
  addChild(root, f, enc.encode("f"));
  addChild(root, g, enc.encode("g h"));
  addChild(root, l, enc.encode("l"));
  addChild(root, link, enc.encode("z"));
  return root;
}

Deno.test("printLs() escapes like C: spaces raw in paths, a hardlink bare", () => {
  assert.equal(dec.decode(printLs(tree())), "/f\t@ b/x\n/g h\t@ a\\x20b\\t\n/l\t-> t\n/z\n");
});

Deno.test("printObjects() lists distinct payloads of regular files, sorted bytewise", () => {
  const objects = new Map<string, Uint8Array>();
  collectObjects(tree(), objects);
  collectObjects(tree(), objects);
  assert.equal(dec.decode(printObjects(objects)), "a b\t\nb/x\n");
  const missing = new Map<string, Uint8Array>();
  collectObjects(tree(), missing, (p) => dec.decode(p) === "b/x");
  assert.equal(dec.decode(printObjects(missing)), "a b\t\n");
});

Deno.test("jsonBytes() keeps valid UTF-8 as text and base64-encodes the rest", () => {
  assert.equal(jsonBytes(enc.encode("é\n")), "é\n");
  assert.deepEqual(jsonBytes(new Uint8Array([0x61, 0xff])), { base64: "Yf8=" });
  assert.deepEqual(jsonBytes(new Uint8Array([0xef, 0xbb, 0xbf])), "\ufeff");
});

Deno.test("printDumpJson() and printLsJson() print one object per entry", () => {
  const dump = dec.decode(printDumpJson(tree())).trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(dump.length, 5);
  assert.deepEqual(dump[4], { ...dump[1], path: "/z", hardlink: "/f" });
  assert.deepEqual(dump[0].mtime, { sec: 0, nsec: 0 });
  const ls = dec.decode(printLsJson(tree())).trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(ls[3], { path: "/z", type: "hardlink", target: "/f" });
  assert.deepEqual(ls[0], { path: "/f", type: "reg", payload: "b/x" });
});
