import assert from "node:assert/strict";
import { SysError } from "./errno.ts";
import { accessError, joinErrorPath, joinPath, stripTrailingSlashes } from "./walk_paths.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

Deno.test("joinErrorPath() adds a slash unless the left part ends with one (maybe_join_path)", () => {
  assert.equal(dec.decode(joinErrorPath(enc.encode("src"), enc.encode("a"))), "src/a");
  assert.equal(dec.decode(joinErrorPath(enc.encode("src/"), enc.encode("a"))), "src/a");
  assert.equal(dec.decode(joinErrorPath(enc.encode("src//"), enc.encode("a"))), "src//a");
  assert.equal(dec.decode(joinErrorPath(enc.encode("/"), enc.encode("usr"))), "/usr");
});

Deno.test("stripTrailingSlashes() and joinPath() build C's join_paths paths", () => {
  assert.equal(
    dec.decode(joinPath(stripTrailingSlashes(enc.encode("src//")), enc.encode("a"))),
    "src/a",
  );
  assert.equal(
    dec.decode(joinPath(stripTrailingSlashes(enc.encode("/")), enc.encode("usr"))),
    "/usr",
  );
});

Deno.test("accessError() formats C's line and keeps the raw path", () => {
  const path = new Uint8Array([0x61, 0xff]);
  const e = accessError(path, new SysError(2, "statx"));
  assert.equal(e.message, "error accessing a\uFFFD: No such file or directory");
  assert.equal(e.code, "ENOENT");
  assert.deepEqual(e.path, path);
  assert.throws(() => accessError(path, new TypeError("bug")), TypeError);
});
