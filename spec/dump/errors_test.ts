import assert from "node:assert/strict";
import { DumpSyntaxError, latin1String } from "./errors.ts";
import { latin1 } from "./_test_cases.ts";

Deno.test("DumpSyntaxError() is a SyntaxError with code, line, path and reason", () => {
  const e = new DumpSyntaxError("EINVALMODE", "Invalid mode 644", 3, latin1("/foo"));
  assert.ok(e instanceof SyntaxError);
  assert.equal(e.name, "DumpSyntaxError");
  assert.equal(e.code, "EINVALMODE");
  assert.equal(e.line, 3);
  assert.deepEqual(e.path, latin1("/foo"));
  assert.equal(e.reason, "Invalid mode 644");
  assert.equal(e.message, "line 3: Invalid mode 644 (/foo)");
});

Deno.test("DumpSyntaxError() message omits a path the reason already ends with", () => {
  const path = latin1("/a/b");
  const e = new DumpSyntaxError("ENOPARENT", "Parent directory missing for /a/b", 2, path);
  assert.equal(e.message, "line 2: Parent directory missing for /a/b");
});

Deno.test("DumpSyntaxError() message without line or path is the reason", () => {
  assert.equal(
    new DumpSyntaxError("ENOFILES", "No files in dump file").message,
    "No files in dump file",
  );
});

Deno.test("DumpSyntaxError() keeps C's bytes in reason and shows UTF-8 in message", () => {
  const path = new TextEncoder().encode("/é/x");
  const reason = `Parent directory missing for ${latin1String(path)}`;
  const e = new DumpSyntaxError("ENOPARENT", reason, 4, path);
  assert.deepEqual(e.reasonBytes, new TextEncoder().encode("Parent directory missing for /é/x"));
  assert.equal(e.message, "line 4: Parent directory missing for /é/x");
});

Deno.test("DumpSyntaxError.at() locates an error from a field helper", () => {
  const e = new DumpSyntaxError("EESCAPEEND", "No character after escape").at(7, latin1("/p"));
  assert.equal(e.line, 7);
  assert.equal(e.code, "EESCAPEEND");
  assert.equal(e.message, "line 7: No character after escape (/p)");
});

Deno.test("latin1String() maps each byte to one char", () => {
  const all = Uint8Array.from({ length: 10000 }, (_, i) => i & 255);
  const s = latin1String(all);
  assert.equal(s.length, 10000);
  assert.equal(s.charCodeAt(255), 255);
  assert.deepEqual(latin1(s), all);
});
