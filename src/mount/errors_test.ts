import assert from "node:assert/strict";
import { SysError } from "../fs/errno.ts";
import { callError, describeLog, MountError, MountOptionError } from "./errors.ts";

Deno.test("describeLog() drops the level prefixes and joins the kernel's messages", () => {
  assert.equal(describeLog([]), "");
  assert.equal(
    describeLog(["e overlay: Bad value for 'verity'", "w overlay: x"]),
    " (overlay: Bad value for 'verity'; overlay: x)",
  );
});

Deno.test("callError() turns a SysError into a MountError with its errno", () => {
  const e = callError("Cannot mount overlayfs", new SysError(22, "fsconfig"), ["e overlay: no"]);
  assert.ok(e instanceof MountError);
  assert.equal(e.message, "Cannot mount overlayfs: Invalid argument (overlay: no)");
  assert.equal(e.code, "EINVAL");
  assert.equal(e.errno, 22);
});

Deno.test("callError() rethrows anything that is not a SysError", () => {
  const bug = new TypeError("bug");
  assert.throws(() => callError("x", bug), (e) => e === bug);
});

Deno.test("MountOptionError is a SyntaxError with a code and the option", () => {
  const e = new MountOptionError("EUNSUPPORTED", "foo", "Unsupported option foo");
  assert.ok(e instanceof SyntaxError);
  assert.equal(e.name, "MountOptionError");
  assert.equal(e.option, "foo");
});
