import assert from "node:assert/strict";
import { legacyOverlayOptions, type OverlayRequest } from "./overlay.ts";

const BASE: OverlayRequest = {
  lower: "/tmp/.composefs.x",
  basedirs: ["/objects", "/more,objects"],
  requireVerity: false,
  tryVerity: false,
  readonly: false,
  target: "/mnt",
};

Deno.test("legacyOverlayOptions() joins data-only layers with :: and escapes commas", () => {
  assert.equal(
    legacyOverlayOptions(BASE, "::"),
    "metacopy=on,redirect_dir=on,lowerdir=/tmp/.composefs.x::/objects::/more\\,objects",
  );
  assert.equal(
    legacyOverlayOptions(BASE, ":"),
    "metacopy=on,redirect_dir=on,lowerdir=/tmp/.composefs.x:/objects:/more\\,objects",
  );
});

Deno.test("legacyOverlayOptions() adds upperdir, workdir and verity=require in C's order", () => {
  const r = { ...BASE, basedirs: ["/o"], upperdir: "/u,1", workdir: "/w", requireVerity: true };
  assert.equal(
    legacyOverlayOptions(r, "::"),
    "metacopy=on,redirect_dir=on,lowerdir=/tmp/.composefs.x::/o,upperdir=/u\\,1,workdir=/w," +
      "verity=require",
  );
});

Deno.test("legacyOverlayOptions() ignores tryverity, as C's legacy path", () => {
  assert.doesNotMatch(legacyOverlayOptions({ ...BASE, tryVerity: true }, "::"), /verity/);
});
