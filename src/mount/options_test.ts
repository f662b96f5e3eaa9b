import assert from "node:assert/strict";
import { MountOptionError } from "./errors.ts";
import {
  assertValidMountOptions,
  escapeMountOption,
  parseMountOptions,
  splitMountOptions,
} from "./options.ts";

const DIGEST = "ab".repeat(32);

Deno.test("splitMountOptions() splits on commas and the first =", () => {
  assert.deepEqual(splitMountOptions("ro,basedir=/a=b,verity"), [
    { key: "ro", value: null },
    { key: "basedir", value: "/a=b" },
    { key: "verity", value: null },
  ]);
});

Deno.test("splitMountOptions() keeps escaped commas in values and unescapes them", () => {
  assert.deepEqual(splitMountOptions("basedir=/a\\,b\\\\c,rw"), [
    { key: "basedir", value: "/a,b\\c" },
    { key: "rw", value: null },
  ]);
});

Deno.test("splitMountOptions() does not unescape keys, and an escaped = does not split", () => {
  assert.deepEqual(splitMountOptions("r\\o,a\\=b"), [
    { key: "r\\o", value: null },
    { key: "a\\=b", value: null },
  ]);
});

Deno.test("splitMountOptions() drops a trailing backslash of a value", () => {
  assert.deepEqual(splitMountOptions("basedir=/x\\"), [{ key: "basedir", value: "/x" }]);
});

Deno.test("splitMountOptions() gives empty options for empty text and extra commas", () => {
  assert.deepEqual(splitMountOptions(""), [{ key: "", value: null }]);
  assert.deepEqual(splitMountOptions("ro,"), [{ key: "ro", value: null }, {
    key: "",
    value: null,
  }]);
  assert.deepEqual(splitMountOptions("=x"), [{ key: "", value: "x" }]);
});

Deno.test("parseMountOptions() reads every option", () => {
  const o = parseMountOptions(
    `basedir=/a:/b,digest=${DIGEST},verity,tryverity,idmap=/proc/1/ns/user,` +
      "upperdir=/u,workdir=/w,ro",
  );
  assert.deepEqual(o, {
    basedirs: ["/a", "/b"],
    digest: DIGEST,
    verity: true,
    tryVerity: true,
    idmap: "/proc/1/ns/user",
    upperdir: "/u",
    workdir: "/w",
    readonly: true,
  });
});

Deno.test("parseMountOptions() lets the last repeated option win", () => {
  const o = parseMountOptions("basedir=/a,ro,basedir=/b,rw");
  assert.deepEqual(o.basedirs, ["/b"]);
  assert.equal(o.readonly, false);
  assert.equal(parseMountOptions("rw,basedir=/a,ro").readonly, true);
});

Deno.test("parseMountOptions() ignores a value on a flag, as C", () => {
  const o = parseMountOptions("basedir=/a,ro=0,verity=no,tryverity=x");
  assert.equal(o.readonly, true);
  assert.equal(o.verity, true);
  assert.equal(o.tryVerity, true);
});

Deno.test("parseMountOptions() splits basedir after unescaping, so \\: separates too", () => {
  assert.deepEqual(parseMountOptions("basedir=/a\\:/b\\,c").basedirs, ["/a", "/b,c"]);
});

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof MountOptionError, String(e));
    return `${e.code} ${e.option}: ${e.message}`;
  }
  return "ok";
}

Deno.test("parseMountOptions() rejects unknown and empty options", () => {
  assert.equal(
    code(() => parseMountOptions("basedir=/a,foo")),
    "EUNSUPPORTED foo: Unsupported option foo",
  );
  assert.equal(
    code(() => parseMountOptions("BASEDIR=/a")),
    "EUNSUPPORTED BASEDIR: Unsupported option BASEDIR",
  );
  assert.equal(
    code(() => parseMountOptions("basedir=/a,")),
    'EUNSUPPORTED : Unsupported option ""',
  );
  assert.equal(code(() => parseMountOptions("")), 'EUNSUPPORTED : Unsupported option ""');
  assert.equal(
    code(() => parseMountOptions("r\\o,basedir=/a")),
    "EUNSUPPORTED r\\o: Unsupported option r\\o",
  );
});

Deno.test("parseMountOptions() rejects a valued option without a value", () => {
  for (const key of ["basedir", "digest", "upperdir", "workdir", "idmap"]) {
    assert.equal(
      code(() => parseMountOptions(`basedir=/a,${key}`)),
      `ENOVALUE ${key}: No value specified for ${key} option`,
    );
  }
});

Deno.test("parseMountOptions() rejects an empty basedir", () => {
  for (const v of ["", ":a", "a:", "a::b"]) {
    assert.equal(
      code(() => parseMountOptions(`basedir=${v}`)),
      "EBASEDIRFORMAT basedir: Value for basedir option has incorrect format",
    );
  }
});

Deno.test("parseMountOptions() requires a basedir", () => {
  assert.equal(
    code(() => parseMountOptions(undefined)),
    "ENOBASEDIR basedir: No object dirs specified",
  );
  assert.equal(code(() => parseMountOptions("ro")), "ENOBASEDIR basedir: No object dirs specified");
});

Deno.test("parseMountOptions() requires upperdir and workdir together", () => {
  const msg = "Both workdir and upperdir must be specified if used";
  assert.equal(
    code(() => parseMountOptions("basedir=/a,upperdir=/u")),
    `EUPPERWORK upperdir: ${msg}`,
  );
  assert.equal(
    code(() => parseMountOptions("basedir=/a,workdir=/w")),
    `EUPPERWORK workdir: ${msg}`,
  );
});

Deno.test("parseMountOptions() accepts only 64 hex digits as a digest", () => {
  assert.equal(
    parseMountOptions(`basedir=/a,digest=${DIGEST.toUpperCase()}`).digest,
    DIGEST.toUpperCase(),
  );
  for (const d of ["", "ab", DIGEST.slice(1), DIGEST + "ab", "zz".repeat(32), DIGEST.repeat(2)]) {
    assert.match(code(() => parseMountOptions(`basedir=/a,digest=${d}`)), /^EINVALDIGEST digest: /);
  }
});

Deno.test("parseMountOptions() reports option errors in C's order", () => {
  // Unknown keys stop the scan before basedir and upperdir are checked.
  assert.match(code(() => parseMountOptions("upperdir=/u,foo")), /^EUNSUPPORTED/);
  assert.match(code(() => parseMountOptions("basedir=,upperdir=/u")), /^EBASEDIRFORMAT/);
  assert.match(code(() => parseMountOptions("upperdir=/u")), /^ENOBASEDIR/);
  assert.match(code(() => parseMountOptions(`basedir=/a,upperdir=/u,digest=x`)), /^EUPPERWORK/);
});

Deno.test("assertValidMountOptions() checks a set built in code", () => {
  assert.doesNotThrow(() => assertValidMountOptions({ basedirs: ["/a"] }));
  assert.match(code(() => assertValidMountOptions({ basedirs: [] })), /^ENOBASEDIR/);
  assert.match(code(() => assertValidMountOptions({ basedirs: ["/a", ""] })), /^EBASEDIRFORMAT/);
  assert.match(
    code(() => assertValidMountOptions({ basedirs: ["/a"], digest: "00" })),
    /^EINVALDIGEST/,
  );
});

Deno.test("escapeMountOption() escapes commas only, as C", () => {
  assert.equal(escapeMountOption("/a,b\\c:d"), "/a\\,b\\c:d");
});
