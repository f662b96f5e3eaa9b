/**
 * Least privilege, as the README documents it. Every command of the README's permissions table
 * runs verbatim (in a copy of the tools' files with small inputs beside them) and succeeds with
 * exactly the permissions it lists; without any one of them it fails with exit status 1 and one
 * clear line naming the flag to add — not a prompt, not a stack trace — and leaves no image.
 * Started with `-A`, mkcomposefs keeps only the permission kinds its mode uses.
 */
import assert from "node:assert/strict";
import { buildImageFromDump } from "../mod.ts";
import { toHex } from "../spec/bytes/compare.ts";
import { printDump } from "../spec/dump/print.ts";
import { readImage } from "../spec/erofs/read.ts";
import { fsverityDigest } from "../spec/fsverity/merkle.ts";
import { sha256Js } from "../spec/fsverity/sha256.ts";
import { bundleTarget, TARGETS } from "../scripts/bundle.ts";
import { permissionRows, README } from "./_readme.ts";
import { makeWorkspace, runShell } from "./_workspace.ts";

const dec = new TextDecoder();
const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const HELLO = await Deno.readFile(`${ROOT}examples/hello.dump`);
const HELLO_IMAGE = buildImageFromDump(HELLO);
const FILE = new TextEncoder().encode("some bytes to measure\n");

/** The workspace: the tools (source and bundle) and the inputs the README's commands name. */
async function setUp(): Promise<string> {
  const w = await makeWorkspace();
  await Deno.writeFile(`${w}/in.dump`, HELLO);
  await Deno.mkdir(`${w}/tree/sub`, { recursive: true });
  await Deno.writeTextFile(`${w}/tree/a`, "hello\n");
  await Deno.writeTextFile(`${w}/tree/sub/b`, "b".repeat(5000));
  await Deno.symlink("a", `${w}/tree/link`);
  await Deno.mkdir(`${w}/store/d3`, { recursive: true });
  await Deno.copyFile(
    `${ROOT}examples/objects/d3/b6f7a544d3bd1d9c6a6c1fda5d216f4dd914aef0d58762696fe72e0012c05a`,
    `${w}/store/d3/b6f7a544d3bd1d9c6a6c1fda5d216f4dd914aef0d58762696fe72e0012c05a`,
  );
  await Deno.writeFile(`${w}/file`, FILE);
  await Deno.mkdir(`${w}/dist`);
  await bundleTarget(TARGETS.find((t) => t.name === "mkcomposefs")!, `${w}/dist`);
  return w;
}

/** Clears what a command writes and restores what it reads. */
async function reset(w: string, command: string): Promise<void> {
  await Deno.remove(`${w}/out`, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${w}/out`);
  if (/> image\.cfs/.test(command)) await Deno.remove(`${w}/image.cfs`).catch(() => {});
  else await Deno.writeFile(`${w}/image.cfs`, HELLO_IMAGE);
}

function names(image: Uint8Array): string[] {
  return readImage(image).children.map((c) => dec.decode(c.name));
}

/** Checks what a successful run of `command` printed and wrote. */
async function checkSuccess(w: string, command: string, stdout: string): Promise<void> {
  if (/--print-digest-only/.test(command)) {
    assert.equal(stdout, toHex(fsverityDigest(HELLO_IMAGE, sha256Js)) + "\n");
  } else if (/out\/image\.cfs/.test(command)) {
    const image = await Deno.readFile(`${w}/out/image.cfs`);
    if (/--from-file/.test(command)) assert.deepEqual(image, HELLO_IMAGE);
    else assert.deepEqual(names(image), ["a", "link", "sub"]);
  } else if (/> image\.cfs/.test(command)) {
    assert.deepEqual(await Deno.readFile(`${w}/image.cfs`), HELLO_IMAGE);
  } else if (/ dump image\.cfs/.test(command)) {
    assert.equal(stdout, dec.decode(printDump(readImage(HELLO_IMAGE))));
  } else if (/missing-objects/.test(command)) {
    assert.equal(stdout, ""); // the store holds the one backing file
  } else if (/measure-file/.test(command)) {
    assert.equal(stdout, toHex(fsverityDigest(FILE, sha256Js, { emptyInputQuirk: true })) + "\n");
  } else {
    assert.fail(`no check for ${command}`);
  }
}

/** The command without one of its permissions: one variant per path and per flag. */
function withoutOne(command: string): { label: string; command: string }[] {
  const variants: { label: string; command: string }[] = [];
  for (const m of command.matchAll(/--allow-(read|write)=(\S+) |--allow-ffi /g)) {
    const before = command.slice(0, m.index);
    const after = command.slice(m.index + m[0].length);
    if (m[1] === undefined) {
      variants.push({ label: "--allow-ffi", command: before + after });
      continue;
    }
    const paths = m[2]!.split(",");
    for (const p of paths) {
      const rest = paths.filter((x) => x !== p);
      const flag = rest.length > 0 ? `--allow-${m[1]}=${rest.join(",")} ` : "";
      variants.push({ label: `${m[1]} ${p}`, command: before + flag + after });
    }
  }
  return variants;
}

const rows = permissionRows(await Deno.readTextFile(README));

Deno.test("README permissions table: each command runs with exactly its permissions", async (t) => {
  assert.ok(rows.length >= 8, "the README lists the modes");
  const w = await setUp();
  try {
    for (const row of rows) {
      await t.step(`${row.mode}: ${row.command}`, async () => {
        await reset(w, row.command);
        const r = await runShell(row.command, w);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, "");
        await checkSuccess(w, row.command, r.stdout);
      });
    }
  } finally {
    await Deno.remove(w, { recursive: true });
  }
});

Deno.test("README permissions table: without any one permission, one clear line and exit 1", async (t) => {
  const w = await setUp();
  try {
    for (const row of rows) {
      for (const v of withoutOne(row.command)) {
        await t.step(`${row.mode} without ${v.label}`, async () => {
          await reset(w, row.command);
          const r = await runShell(v.command, w);
          assert.equal(r.code, 1, `${v.command}\n${r.stderr}`);
          // composefs-info keeps C's two-line basedir message ("…`store`\n: why").
          const text = r.stderr.replace("`\n: ", "`: ");
          assert.match(text, /^(mkcomposefs|composefs-info): [^\n]*--allow-[a-z]+[^\n]*\n$/, text);
          assert.doesNotMatch(text, /Uncaught|\n\s+at |Deno requests|Allow\?/);
          assert.deepEqual([...Deno.readDirSync(`${w}/out`)], [], "no image is left");
        });
      }
    }
  } finally {
    await Deno.remove(w, { recursive: true });
  }
});

Deno.test("mkcomposefs started with -A revokes the permission kinds its mode does not use", async () => {
  const w = await makeWorkspace();
  try {
    const probe = `${w}/probe.ts`;
    await Deno.writeTextFile(
      probe,
      `import { parseMkcomposefsArgs } from "./src/cli/mkcomposefs.ts";
import { mkcomposefsPermissions } from "./src/cli/mkcomposefs_permissions.ts";
import { enforcePermissions } from "./src/cli/permissions.ts";
const a = parseMkcomposefsArgs(Deno.args);
if (!("source" in a)) throw new Error("bad arguments");
enforcePermissions(mkcomposefsPermissions(a));
const kinds = ["read", "write", "ffi", "env", "net", "run", "sys", "import"] as const;
console.log(kinds.filter((name) => Deno.permissions.querySync({ name }).state === "granted").join(" "));
`,
    );
    const cases: [string, string][] = [
      ["--from-file in.dump out/image.cfs", "read write"],
      ["--from-file --print-digest-only in.dump", "read"],
      ["--from-file - -", ""],
      ["tree out/image.cfs", "read write ffi"],
      ["--skip-xattrs --use-epoch tree -", "read ffi"],
      // Deno reopens /proc/self/fd/N (not a pipe) only for a process that holds everything.
      ["--from-file - /proc/self/fd/3", "read write ffi env net run sys import"],
    ];
    for (const [args, kept] of cases) {
      const r = await runShell(`deno run -A --no-prompt probe.ts ${args}`, w);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), kept, args);
    }
  } finally {
    await Deno.remove(w, { recursive: true });
  }
});
