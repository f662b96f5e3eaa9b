import assert from "node:assert/strict";
import { DumpSyntaxError } from "./errors.ts";
import {
  ESCAPE_EQUAL,
  ESCAPE_LONE_DASH,
  ESCAPE_STANDARD,
  escapeDumpBytes,
  escapeDumpBytesInto,
  hexDigitValue,
  NOESCAPE_SPACE,
  unescapeDumpField,
} from "./escape.ts";
import { latin1 } from "./_test_cases.ts";

const unescape = (s: string) => unescapeDumpField(latin1(s));

function unescapeError(s: string): DumpSyntaxError {
  try {
    unescapeDumpField(latin1(s));
  } catch (e) {
    if (e instanceof DumpSyntaxError) return e;
    throw e;
  }
  assert.fail("unescaped");
}

Deno.test("unescapeDumpField() decodes the five escapes", () => {
  assert.deepEqual(unescape("\\\\"), latin1("\\"));
  assert.deepEqual(unescape("\\n\\r\\t"), latin1("\n\r\t"));
  assert.deepEqual(unescape("\\x00\\xff\\xAb\\x2d\\x3D"), Uint8Array.of(0, 0xff, 0xab, 0x2d, 0x3d));
  assert.deepEqual(unescape("a\\x20b"), latin1("a b"));
});

Deno.test("unescapeDumpField() copies everything else as-is", () => {
  const raw = "=-\t\r\xe9\x01~";
  assert.deepEqual(unescape(raw), latin1(raw));
  assert.deepEqual(unescape(""), new Uint8Array(0));
});

Deno.test("unescapeDumpField() returns a view when there is no backslash", () => {
  const buf = latin1("xx abc yy");
  const out = unescapeDumpField(buf, 3, 6);
  assert.equal(out.buffer, buf.buffer);
  assert.deepEqual(out, latin1("abc"));
});

Deno.test("unescapeDumpField() reads only its range", () => {
  const buf = latin1("a\\x41\\x42 \\q");
  assert.deepEqual(unescapeDumpField(buf, 0, 9), latin1("aAB"));
  // "\x4" at the end of the range has one char left even if the buffer goes on.
  assert.throws(
    () => unescapeDumpField(buf, 0, 4),
    (e) => e instanceof DumpSyntaxError && e.code === "EHEXMISSING",
  );
});

Deno.test("unescapeDumpField() throws C's messages", () => {
  const cases: [string, string, string][] = [
    ["a\\", "EESCAPEEND", "No character after escape"],
    ["\\q", "EESCAPETYPE", "Unsupported escape type q"],
    ["\\\xe9", "EESCAPETYPE", "Unsupported escape type \xe9"],
    ["\\ ", "EESCAPETYPE", "Unsupported escape type  "],
    ["\\x", "EHEXMISSING", "No hex characters after hex escape"],
    ["\\x4", "EHEXMISSING", "No hex characters after hex escape"],
    ["\\xg0", "EHEXINVALID", "Invalid hex characters after hex escape"],
    ["\\x0g", "EHEXINVALID", "Invalid hex characters after hex escape"],
    ["\\X41", "EESCAPETYPE", "Unsupported escape type X"],
  ];
  for (const [raw, code, reason] of cases) {
    const e = unescapeError(raw);
    assert.equal(e.code, code, raw);
    assert.equal(e.reason, reason, raw);
    assert.equal(e.line, 0);
  }
});

Deno.test("hexDigitValue() accepts either case", () => {
  assert.deepEqual([..."09afAF"].map((c) => hexDigitValue(c.charCodeAt(0))), [
    0,
    9,
    10,
    15,
    10,
    15,
  ]);
  assert.deepEqual([..."g/:@`G"].map((c) => hexDigitValue(c.charCodeAt(0))), [
    -1,
    -1,
    -1,
    -1,
    -1,
    -1,
  ]);
});

Deno.test("escapeDumpBytes() matches composefs-info's verified examples", () => {
  assert.equal(
    escapeDumpBytes(latin1("/a b=c\\d\te\x7f\xe9\x01-~"), ESCAPE_STANDARD),
    "/a\\x20b=c\\\\d\\te\\x7f\\xe9\\x01-~",
  );
  assert.equal(
    escapeDumpBytes(latin1("- =\\\n\r\t\x7f\xff"), ESCAPE_LONE_DASH),
    "-\\x20=\\\\\\n\\r\\t\\x7f\\xff",
  );
});

Deno.test("escapeDumpBytes() flags: LONE_DASH, EQUAL, NOSPACE", () => {
  const dash = latin1("-");
  assert.equal(escapeDumpBytes(dash, ESCAPE_LONE_DASH), "\\x2d");
  assert.equal(escapeDumpBytes(dash, ESCAPE_STANDARD), "-");
  assert.equal(escapeDumpBytes(dash, ESCAPE_EQUAL), "-");
  assert.equal(escapeDumpBytes(latin1("--"), ESCAPE_LONE_DASH), "--");
  assert.equal(escapeDumpBytes(latin1("a=b"), ESCAPE_EQUAL), "a\\x3db");
  assert.equal(escapeDumpBytes(latin1("a=b"), ESCAPE_STANDARD), "a=b");
  assert.equal(escapeDumpBytes(latin1("a b"), NOESCAPE_SPACE), "a b");
  assert.equal(escapeDumpBytes(latin1("a b\t"), NOESCAPE_SPACE), "a b\\t");
  assert.equal(escapeDumpBytes(latin1("a b="), NOESCAPE_SPACE | ESCAPE_EQUAL), "a b\\x3d");
  assert.equal(escapeDumpBytes(new Uint8Array(0), ESCAPE_LONE_DASH), "");
});

Deno.test("escapeDumpBytes() escapes exactly the non-graphic bytes", () => {
  for (let c = 0; c < 256; c++) {
    const out = escapeDumpBytes(Uint8Array.of(c), ESCAPE_STANDARD);
    const special = { 0x5c: "\\\\", 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t" }[c];
    const want = special ??
      (c >= 0x21 && c <= 0x7e ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`);
    assert.equal(out, want, `byte ${c}`);
  }
});

Deno.test("escapeDumpBytes() round-trips every byte through unescapeDumpField()", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (const flags of [0, 1, 2, 3, 4, 5, 6, 7]) {
    assert.deepEqual(unescape(escapeDumpBytes(all, flags)), all);
    const out = escapeDumpBytes(all, flags);
    // Escaped text never holds a field or line separator (space only with NOESCAPE_SPACE).
    assert.ok(!out.includes("\n"));
    assert.equal(out.includes(" "), (flags & NOESCAPE_SPACE) !== 0);
  }
});

Deno.test("escapeDumpBytesInto() writes at an offset and returns the end", () => {
  const out = new Uint8Array(20).fill(0x2e);
  const end = escapeDumpBytesInto(out, 2, latin1("a\nb"), ESCAPE_STANDARD);
  assert.equal(end, 6);
  assert.equal(String.fromCharCode(...out.subarray(0, 8)), "..a\\nb..");
});
