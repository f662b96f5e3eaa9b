import assert from "node:assert/strict";
import { DumpSyntaxError } from "./errors.ts";
import { parseDump } from "./parse.ts";
import { ACCEPT_CASES, ERROR_CASES, latin1, R, unterminatedDump } from "./_test_cases.ts";

/** The error parseDump throws for a latin-1 dump. */
function errorOf(dump: string, strict = false): DumpSyntaxError {
  try {
    parseDump(latin1(dump), { strict });
  } catch (e) {
    if (e instanceof DumpSyntaxError) return e;
    throw e;
  }
  assert.fail("parseDump() accepted the dump");
}

function lastLine(dump: string): number {
  const n = dump.split("\n").length;
  return dump.endsWith("\n") ? n - 1 : n;
}

for (const c of ERROR_CASES) {
  Deno.test(`parseDump() rejects: ${c.name}`, () => {
    const e = errorOf(c.dump, c.strict);
    assert.equal(e.reason, c.reason);
    assert.equal(e.code, c.code);
    assert.equal(e.line, c.line ?? lastLine(c.dump));
  });
}

for (const c of ACCEPT_CASES) {
  Deno.test(`parseDump() accepts: ${c.name}`, () => {
    parseDump(latin1(c.dump), { strict: c.strict ?? false });
  });
}

Deno.test("parseDump() reports the path of the failing line", () => {
  const e = errorOf(R + "/a\\x20b 0 644 1 0 0 0 0.0 - - -\n");
  assert.deepEqual(e.path, latin1("/a b"));
  assert.equal(e.message, "line 2: Invalid mode 644 (/a b)");
  const h = errorOf(R + "/h 0 @100644 1 0 0 0 0.0 /x - -\n/z 0 100644 1 0 0 0 0.0 - - -\n");
  assert.equal(h.line, 2);
  assert.deepEqual(h.path, latin1("/h"));
  assert.deepEqual(errorOf(R + "/a b").path, latin1("/a")); // MODE is empty
});

Deno.test("parseDump() gives no path when PATH itself fails", () => {
  assert.equal(errorOf(R + "/a\\q 0 100644 1 0 0 0 0.0 - - -\n").path, null);
});

Deno.test("parseDump() strict mode replays C's 64 KiB reads for a missing final LF", () => {
  // One read fills the buffer exactly, the next returns 0: the partial line is parsed.
  parseDump(latin1(unterminatedDump(65536, 100)), { strict: true });
  assert.equal(errorOf(unterminatedDump(65537, 100), true).code, "ENONEWLINE");
  assert.equal(errorOf(unterminatedDump(65535, 100), true).code, "ENONEWLINE");
  // A last line crossing the first buffer: the second read ends exactly at the end.
  parseDump(latin1(unterminatedDump(65536 + 1000, 65536)), { strict: true });
  assert.equal(errorOf(unterminatedDump(65536 + 1001, 65537), true).code, "ENONEWLINE");
  assert.equal(errorOf(unterminatedDump(65536 + 999, 65535), true).code, "ENONEWLINE");
  // Non-strict parses all of them.
  parseDump(latin1(unterminatedDump(65537, 100)));
});

Deno.test("parseDump() rejects a malformed digest on an external file (C: undefined bytes)", () => {
  for (const d of ["", "00", "xyz", "0".repeat(63), "g".repeat(64), "0".repeat(62) + "zz00"]) {
    const e = errorOf(R + `/a 5 100644 1 0 0 0 0.0 x - ${d}\n`);
    assert.equal(e.code, "EINVALDIGEST");
    assert.equal(e.reason, `Invalid digest ${d}, must be 64 hex digits`);
  }
  // A missing DIGEST field is "", present: an external file needs "-" or a digest.
  assert.equal(errorOf(R + "/a 5 100644 1 0 0 0 0.0 x -\n").code, "EINVALDIGEST");
  // 64 hex digits and then anything: C uses the first 32 bytes and ignores the rest.
  const n = parseDump(latin1(R + `/a 5 100644 1 0 0 0 0.0 x - ${"ab".repeat(32)}cdzz\n`));
  assert.deepEqual(n.children[0]!.digest, new Uint8Array(32).fill(0xab));
});

Deno.test("parseDump() maps tree limits to C's messages", () => {
  parseDump(latin1(R + `/${"n".repeat(255)} 0 100644 1 0 0 0 0.0 - - - ${"k".repeat(255)}=v\n`));
  assert.equal(errorOf(R + `/${"n".repeat(256)} 0 100644 1 0 0 0 0.0 - - -\n`).code, "EADDCHILD");
  assert.equal(
    errorOf(R + `/a 0 100644 1 0 0 0 0.0 - - - ${"k".repeat(256)}=v\n`).code,
    "ESETXATTR",
  );
});
