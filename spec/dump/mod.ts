/**
 * The composefs-dump(5) text format: parse it into a tree and print a tree back, on bytes.
 *
 * @example Round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDump, printDump } from "./mod.ts";
 * const text = new TextEncoder().encode("/ 0 40755 2 0 0 0 0.0 - - -\n/a\\x20b 0 100644 1 0 0 0 0.0 - - - user.k=v\n");
 * assert.deepEqual(printDump(parseDump(text)), text);
 * ```
 *
 * @module
 */
export { DumpSyntaxError, latin1String } from "./errors.ts";
export type { DumpErrorCode } from "./errors.ts";
export {
  ESCAPE_EQUAL,
  ESCAPE_LONE_DASH,
  ESCAPE_STANDARD,
  escapeDumpBytes,
  escapeDumpBytesInto,
  NOESCAPE_SPACE,
  unescapeDumpField,
} from "./escape.ts";
export { LCFS_DIGEST_SIZE, LCFS_INLINE_CONTENT_MAX, parseDump, PATH_MAX } from "./parse.ts";
export type { ParseDumpOptions } from "./parse.ts";
export { printDump, printDumpEntry } from "./print.ts";
export type { PrintDumpOptions } from "./print.ts";
