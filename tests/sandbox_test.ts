/**
 * The sandboxed pipeline of the mkcomposefs man page: as an unprivileged user with no writable
 * file system access, `mkcomposefs --from-file - /proc/self/fd/3` reads the dump on stdin and
 * writes the image to descriptor 3. The README's command runs verbatim as `nobody` (through
 * `setpriv`) when the tests run as root with setpriv present, as in CI; ignored otherwise.
 */
import assert from "node:assert/strict";
import { buildImageFromDump } from "../mod.ts";
import { markedBlock, README } from "./_readme.ts";
import { makeWorkspace, runShell } from "./_workspace.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const HELLO = await Deno.readFile(`${ROOT}examples/hello.dump`);
const HELLO_IMAGE = buildImageFromDump(HELLO);
const AS_NOBODY = "setpriv --reuid=nobody --regid=nogroup --clear-groups";

/** Why the sandbox cannot be tested here, or null when it can. */
async function sandboxUnavailable(): Promise<string | null> {
  const w = await makeWorkspace();
  try {
    const id = await runShell("id -u", w);
    if (id.stdout.trim() !== "0") return "not running as root";
    const sp = await runShell("command -v setpriv", w);
    if (sp.code !== 0) return "setpriv is missing";
    const deno = await runShell(`${AS_NOBODY} deno --version`, w);
    if (deno.code !== 0) return `nobody cannot run deno: ${deno.stderr.trim()}`;
    return null;
  } finally {
    await Deno.remove(w, { recursive: true });
  }
}

const why = await sandboxUnavailable();
if (why !== null) console.error(`sandbox_test: ignored: ${why}`);

/** A workspace with `in.dump` (examples/hello.dump), readable but not writable by nobody. */
async function setUp(): Promise<string> {
  const w = await makeWorkspace();
  await Deno.writeFile(`${w}/in.dump`, HELLO);
  await new Deno.Command("chmod", { args: ["-R", "a+rX", w] }).output();
  return w;
}

Deno.test({
  name: "mkcomposefs as nobody: the README's sandboxed pipeline writes the image to descriptor 3",
  ignore: why !== null,
  async fn() {
    const w = await setUp();
    try {
      const touch = await runShell(`${AS_NOBODY} touch probe`, w);
      assert.notEqual(touch.code, 0, "nobody must not be able to write here");
      const command = markedBlock(await Deno.readTextFile(README), "sandbox");
      const r = await runShell(command, w);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.deepEqual(await Deno.readFile(`${w}/image.cfs`), HELLO_IMAGE);
    } finally {
      await Deno.remove(w, { recursive: true });
    }
  },
});

Deno.test({
  name: "mkcomposefs as nobody with no permission at all writes the image to stdout",
  ignore: why !== null,
  async fn() {
    const w = await setUp();
    try {
      const r = await runShell(
        `${AS_NOBODY} deno run cli.ts --from-file - - < in.dump > image.cfs`,
        w,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await Deno.readFile(`${w}/image.cfs`), HELLO_IMAGE);
    } finally {
      await Deno.remove(w, { recursive: true });
    }
  },
});

Deno.test({
  name: "mkcomposefs as nobody to descriptor 3 on a regular file: --allow-all, else one clear line",
  ignore: why !== null,
  async fn() {
    const w = await setUp();
    try {
      // The file belongs to nobody (C's fopen and Deno reopen /proc/self/fd/3 as nobody).
      await Deno.writeFile(`${w}/fd.cfs`, new Uint8Array());
      await new Deno.Command("chown", { args: ["nobody:nogroup", `${w}/fd.cfs`] }).output();
      const base = `cli.ts --from-file - /proc/self/fd/3 < in.dump 3> fd.cfs`;
      const narrow = await runShell(
        `${AS_NOBODY} deno run --allow-write=/proc/self/fd/3 ${base}`,
        w,
      );
      assert.equal(narrow.code, 1);
      assert.match(narrow.stderr, /^mkcomposefs: [^\n]*--allow-all[^\n]*\n$/);
      const all = await runShell(`${AS_NOBODY} deno run -A ${base}`, w);
      assert.equal(all.code, 0, all.stderr);
      assert.deepEqual(await Deno.readFile(`${w}/fd.cfs`), HELLO_IMAGE);
    } finally {
      await Deno.remove(w, { recursive: true });
    }
  },
});
