#!/usr/bin/env -S deno run --v8-flags=--max-semi-space-size=1 --no-prompt --allow-read --allow-write --allow-ffi --allow-env=CFS_PARSE_STRICT
/**
 * `mkcomposefs`: build a composefs image from a directory or a composefs-dump file.
 *
 * ```sh
 * deno run --allow-read=examples/hello.dump,examples --allow-write=examples \
 *   cli.ts --from-file examples/hello.dump examples/hello.cfs
 * ```
 *
 * Each mode checks the Deno permissions it needs before it starts and revokes the rest
 * (`src/cli/permissions.ts`; README, "Permissions").
 *
 * @module
 */
import { mkcomposefs } from "./src/cli/mkcomposefs.ts";
import { runMain } from "./src/cli/report.ts";

if (import.meta.main) {
  await runMain("mkcomposefs", () => mkcomposefs(Deno.args));
}
