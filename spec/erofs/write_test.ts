import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { concatBytes } from "../bytes/compare.ts";
import { parseDump } from "../dump/parse.ts";
import { addChild, createNode, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG } from "../tree/node.ts";
import { planLayout } from "./layout.ts";
import { prepareTree } from "./prepare.ts";
import { emitImage, streamImage, writeImage } from "./write.ts";

const enc = new TextEncoder();
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

Deno.test("writeImage() gives the worked examples of composefs-format.md §3.14", () => {
  const root = createNode(S_IFDIR | 0o755, { nlink: 2 });
  assert.equal(
    sha256(writeImage(root)),
    "c3dc5b0fc4afb0693a95e017fe5815e1f88f204d485df617541b5ea659aefb8b",
  );
  const digest = Uint8Array.from({ length: 32 }, (_, i) => ((i % 16) << 4) | (i % 16));
  addChild(
    root,
    createNode(S_IFREG | 0o644, { size: 3n, content: enc.encode("abc") }),
    enc.encode("a"),
  );
  addChild(
    root,
    createNode(S_IFREG | 0o644, { size: 100n, payload: enc.encode("12/3456"), digest }),
    enc.encode("b"),
  );
  addChild(root, createNode(S_IFLNK | 0o777, { payload: enc.encode("foo") }), enc.encode("l"));
  addChild(root, createNode(S_IFCHR | 0o644), enc.encode("w"));
  assert.equal(
    sha256(writeImage(root)),
    "c1fc381b7ba4c6dd73372c68155b8471d76530593f3863580d99ee8ed72c6d80",
  );
});

Deno.test("streamImage() gives emitImage()'s bytes whatever the window size", () => {
  const lines = ["/ 4096 40755 2 0 0 0 0.0 - - -"];
  for (let i = 0; i < 300; i++) {
    lines.push(`/f${i}${"x".repeat(i % 200)} ${i + 65} 100644 1 0 0 0 ${i}.0 ab/c${i} - -`);
  }
  lines.push(`/big 4097 100644 1 0 0 0 0.0 - ${"z".repeat(4097)} -`);
  const plan = planLayout(prepareTree(parseDump(enc.encode(lines.join("\n") + "\n"))));
  const whole = emitImage(plan);
  for (const window of [1, 4096, 5001, 65536, 1 << 20]) {
    const chunks: Uint8Array[] = [];
    streamImage(plan, (c) => chunks.push(c.slice()), window);
    assert.equal(sha256(concatBytes(...chunks)), sha256(whole), `window ${window}`);
  }
});

Deno.test("writeImage() leaves the caller's tree as it was", () => {
  const dump = "/ 4096 40755 2 0 0 0 0.0 - - - trusted.overlay.x=1\n/w 0 20644 1 0 0 0 0.0 - - -\n";
  const root = parseDump(enc.encode(dump));
  const before = JSON.stringify(
    root,
    (k, v) => (k === "parent" ? undefined : typeof v === "bigint" ? `${v}` : v),
  );
  writeImage(root);
  const after = JSON.stringify(
    root,
    (k, v) => (k === "parent" ? undefined : typeof v === "bigint" ? `${v}` : v),
  );
  assert.equal(after, before);
});

Deno.test("writeImage() rejects what C rejects, with C's errno", () => {
  const errno = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return "none";
  };
  const root = createNode(S_IFDIR | 0o755);
  assert.equal(errno(() => writeImage(root, { maxVersion: 2 })), "EINVAL");
  addChild(root, createNode(S_IFREG | 0o644, { size: 9_500_000_000_000_000n }), enc.encode("big"));
  assert.equal(errno(() => writeImage(root)), "EFBIG");
  assert.equal(errno(() => writeImage(createNode(S_IFREG | 0o644))), "ENOTDIR");
});
