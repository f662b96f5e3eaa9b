/**
 * Generated golden cases about line reading: the C reader's 64 KiB buffer quirk in strict mode.
 *
 * @module
 */

import type { GeneratedCase } from "./_generated.ts";

/**
 * A dump of exactly `total` bytes whose last line has no LF. The C reader fills a 65536-byte
 * buffer; when a read fills it exactly and the next read returns 0 bytes, the pending line is
 * parsed even in strict mode, so 65536 bytes pass and 65537 bytes fail.
 */
function unterminatedDump(total: number): Uint8Array {
  let body = "/ 4096 40755 2 0 0 0 0.0 - - -\n";
  for (let i = 0;; i++) {
    const line = `/f${String(i).padStart(5, "0")} 0 100644 1 0 0 0 0.0 - - -\n`;
    if (body.length + line.length + 200 > total) break;
    body += line;
  }
  const last = "/last 0 100644 1 0 0 0 0.0 - - - user.x=";
  return new TextEncoder().encode(body + last + "a".repeat(total - body.length - last.length));
}

/** The strict-mode buffer quirk (the `.args` files beside them say `strict`). */
export function lineCases(): GeneratedCase[] {
  return [
    { name: "strict_unterminated_65536", dump: () => unterminatedDump(65536) },
    { name: "strict_unterminated_65537", fail: true, dump: () => unterminatedDump(65537) },
    { name: "unterminated_65537_lenient", dump: () => unterminatedDump(65537) },
  ];
}
