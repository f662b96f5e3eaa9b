/**
 * Differential test of the dump parser against C mkcomposefs 1.0.8 (`CFS_ORACLE` = the folder
 * holding it): same message for every error case, and C accepts what we accept.
 */
import assert from "node:assert/strict";
import { DumpSyntaxError } from "./errors.ts";
import { parseDump } from "./parse.ts";
import { ACCEPT_CASES, ERROR_CASES, latin1, R, unterminatedDump } from "./_test_cases.ts";

const oracle = Deno.env.get("CFS_ORACLE");
const decoder = new TextDecoder("latin1");

/** Runs `mkcomposefs --from-file - --print-digest-only` on `dump`; returns exit code and stderr. */
async function runC(dump: Uint8Array, strict: boolean): Promise<{ code: number; stderr: string }> {
  const child = new Deno.Command(`${oracle}/mkcomposefs`, {
    args: ["--from-file", "-", "--print-digest-only"],
    clearEnv: true,
    env: strict ? { CFS_PARSE_STRICT: "1" } : {},
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(dump);
  await writer.close();
  const out = await child.output();
  return { code: out.code, stderr: decoder.decode(out.stderr) };
}

function ours(dump: Uint8Array, strict: boolean): DumpSyntaxError | null {
  try {
    parseDump(dump, { strict });
    return null;
  } catch (e) {
    if (e instanceof DumpSyntaxError) return e;
    throw e;
  }
}

Deno.test({
  name: "parseDump() errors equal C mkcomposefs messages",
  ignore: !oracle,
  async fn() {
    for (const c of ERROR_CASES) {
      const dump = latin1(c.dump);
      const strict = c.strict ?? false;
      const err = ours(dump, strict);
      assert.ok(err !== null, c.name);
      const got = await runC(dump, strict);
      assert.deepEqual(got, { code: 1, stderr: `mkcomposefs: ${err.reason}\n` }, c.name);
    }
  },
});

Deno.test({
  name: "parseDump() accepts what C mkcomposefs accepts",
  ignore: !oracle,
  async fn() {
    for (const c of ACCEPT_CASES) {
      const dump = latin1(c.dump);
      const strict = c.strict ?? false;
      assert.equal(ours(dump, strict), null, c.name);
      const got = await runC(dump, strict);
      const want = c.cWriterError === undefined
        ? { code: 0, stderr: "" }
        : { code: 1, stderr: `mkcomposefs: ${c.cWriterError}\n` };
      assert.deepEqual(got, want, c.name);
    }
  },
});

Deno.test({
  name: "parseDump() matches C's 64 KiB read quirk in strict mode",
  ignore: !oracle,
  async fn() {
    const cases: [number, number][] = [
      [65535, 100],
      [65536, 100],
      [65537, 100],
      [65536 + 999, 65535],
      [65536 + 1000, 65536],
      [65536 + 1001, 65537],
      [131072, 200],
      [131073, 200],
    ];
    for (const [total, last] of cases) {
      const dump = latin1(unterminatedDump(total, last));
      const err = ours(dump, true);
      const got = await runC(dump, true);
      const want = err === null
        ? { code: 0, stderr: "" }
        : { code: 1, stderr: `mkcomposefs: ${err.reason}\n` };
      assert.deepEqual(got, want, `${total} bytes, last line ${last}`);
    }
  },
});

Deno.test({
  name: "parseDump() rejects digests C turns into undefined bytes (C accepts them)",
  ignore: !oracle,
  async fn() {
    for (const d of ["", "00", "xyz"]) {
      const dump = latin1(R + `/a 5 100644 1 0 0 0 0.0 x - ${d}\n`);
      assert.equal(ours(dump, false)?.code, "EINVALDIGEST");
      assert.equal((await runC(dump, false)).code, 0);
    }
  },
});
