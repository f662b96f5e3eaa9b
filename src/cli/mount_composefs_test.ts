import assert from "node:assert/strict";
import { parseForce, parseMountArgs } from "./mount_composefs.ts";
import { CliError } from "./report.ts";

function error(argv: string[]): string {
  try {
    parseMountArgs(argv);
  } catch (e) {
    assert.ok(e instanceof CliError);
    return e.message;
  }
  return "ok";
}

Deno.test("parseMountArgs() reads the C helper's form", () => {
  assert.deepEqual(parseMountArgs(["-t", "composefs", "-o", "basedir=/o", "img", "/mnt"]), {
    help: false,
    verbose: false,
    options: "basedir=/o",
    image: "img",
    target: "/mnt",
  });
});

Deno.test("parseMountArgs() reads mount(8)'s form: options after the paths, -n and -v", () => {
  assert.deepEqual(parseMountArgs(["img", "/mnt", "-n", "-v", "-o", "rw,basedir=/o"]), {
    help: false,
    verbose: true,
    options: "rw,basedir=/o",
    image: "img",
    target: "/mnt",
  });
});

Deno.test("parseMountArgs() takes attached values, clusters, and the last -o", () => {
  const a = parseMountArgs(["-nvtcomposefs", "-oro", "-o", "basedir=/o", "img", "/mnt"]);
  assert.equal(a.options, "basedir=/o");
  assert.equal(a.verbose, true);
  assert.equal(parseMountArgs(["-vobasedir=/o", "i", "t"]).options, "basedir=/o");
});

Deno.test("parseMountArgs() ends options at --", () => {
  const a = parseMountArgs(["-o", "basedir=/o", "--", "-img", "-mnt"]);
  assert.equal(a.image, "-img");
  assert.equal(a.target, "-mnt");
});

Deno.test("parseMountArgs() stops at -h", () => {
  assert.equal(parseMountArgs(["-h"]).help, true);
  assert.equal(parseMountArgs(["-h", "-x"]).help, true);
  assert.equal(error(["-x", "-h"]), "invalid option -- 'x'");
});

Deno.test("parseMountArgs() rejects what C rejects, with C's messages", () => {
  assert.equal(error(["-t", "ext4", "i", "t"]), "Unsupported fs type 'ext4'");
  assert.equal(error(["-q", "i", "t"]), "invalid option -- 'q'");
  assert.equal(error(["--verbose", "i", "t"]), "unrecognized option '--verbose'");
  assert.equal(error(["i", "t", "-o"]), "option requires an argument -- 'o'");
  assert.equal(error([]), "No source path specified");
  assert.equal(error(["-o", "basedir=/o", "img"]), "No mount path specified");
});

Deno.test("parseMountArgs() rejects a third path (C ignores it)", () => {
  assert.equal(error(["i", "t", "x"]), "Too many arguments: x");
});

Deno.test("parseForce() reads CFS_MOUNT_FORCE", () => {
  assert.deepEqual(parseForce(undefined), {});
  assert.deepEqual(parseForce("loop,legacy-erofs,legacy-overlay"), {
    loop: true,
    legacyErofs: true,
    legacyOverlay: true,
  });
  assert.throws(() => parseForce("loops"), /CFS_MOUNT_FORCE: unknown fallback 'loops'/);
});
