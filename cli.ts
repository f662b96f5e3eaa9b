#!/usr/bin/env -S deno run --allow-read --allow-write --allow-env=CFS_PARSE_STRICT --allow-ffi
/**
 * `mkcomposefs`: build a composefs image from a directory or a composefs-dump file.
 *
 * ```sh
 * deno run -A cli.ts --from-file example.dump example.img
 * ```
 *
 * @module
 */
import { mkcomposefs } from "./src/cli/mkcomposefs.ts";
import { runMain } from "./src/cli/report.ts";

if (import.meta.main) {
  await runMain("mkcomposefs", () => mkcomposefs(Deno.args));
}
