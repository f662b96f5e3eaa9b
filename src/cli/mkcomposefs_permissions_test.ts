import assert from "node:assert/strict";
import { type MkcomposefsArgs, parseMkcomposefsArgs } from "./mkcomposefs.ts";
import { mkcomposefsPermissions } from "./mkcomposefs_permissions.ts";

function args(argv: string[]): MkcomposefsArgs {
  const a = parseMkcomposefsArgs(argv);
  if (!("source" in a)) throw new Error(`not parsed: ${argv.join(" ")}`);
  return a;
}

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname).replace(/\/$/, "");

Deno.test("mkcomposefsPermissions() for a dump file: read it and the image's folder, write the folder", () => {
  assert.deepEqual(mkcomposefsPermissions(args(["--from-file", "in.dump", "out/image.cfs"])), {
    read: ["in.dump", "out"],
    write: ["out"],
    ffi: false,
    optional: [],
  });
  assert.deepEqual(mkcomposefsPermissions(args(["--from-file", "in.dump", "image.cfs"])).write, [
    ".",
  ]);
});

Deno.test("mkcomposefsPermissions() for stdin to stdout needs nothing", () => {
  assert.deepEqual(mkcomposefsPermissions(args(["--from-file", "-", "-"])), {
    read: [],
    write: [],
    ffi: false,
    optional: [],
  });
});

Deno.test("mkcomposefsPermissions() for --print-digest-only reads the dump only", () => {
  const needs = mkcomposefsPermissions(args(["--from-file", "--print-digest-only", "in.dump"]));
  assert.deepEqual([needs.read, needs.write], [["in.dump"], []]);
});

Deno.test("mkcomposefsPermissions() for a descriptor writes that path and may need all", () => {
  const needs = mkcomposefsPermissions(args(["--from-file", "-", "/proc/self/fd/3"]));
  assert.deepEqual([needs.read, needs.write, needs.mayNeedAll], [[], ["/proc/self/fd/3"], true]);
});

Deno.test("mkcomposefsPermissions() for a directory adds FFI and, from source, the modules", () => {
  assert.deepEqual(mkcomposefsPermissions(args(["tree", "out/image.cfs"])), {
    read: ["tree", `${ROOT}/spec`, `${ROOT}/src`, "out"],
    write: ["out"],
    ffi: true,
    optional: [],
  });
  const lax = mkcomposefsPermissions(args(["--skip-xattrs", "--use-epoch", "tree", "o.cfs"]));
  assert.deepEqual([lax.ffi, lax.optional], [false, ["ffi"]]);
  const xattrs = mkcomposefsPermissions(args(["--skip-xattrs", "tree", "o.cfs"]));
  assert.equal(xattrs.ffi, true);
});

Deno.test("mkcomposefsPermissions() for a digest store reads and writes it and needs FFI", () => {
  const needs = mkcomposefsPermissions(
    args(["--skip-xattrs", "--use-epoch", "--digest-store=objs", "tree", "o.cfs"]),
  );
  assert.deepEqual([needs.read.includes("objs"), needs.write, needs.ffi], [
    true,
    ["objs", "."],
    true,
  ]);
  // An empty PATH is the current directory, as in C.
  const cwd = mkcomposefsPermissions(args(["--digest-store=", "tree", "o.cfs"]));
  assert.deepEqual(cwd.write, [".", "."]);
  // Ignored with --from-file.
  const dump = mkcomposefsPermissions(args(["--from-file", "--digest-store=objs", "d", "o.cfs"]));
  assert.deepEqual([dump.write, dump.ffi], [["."], false]);
});
