/**
 * Test helpers around the C oracle (mkcomposefs 1.0.8) and hashing.
 *
 * The oracle folder comes from `CFS_ORACLE`; tests that need it are ignored when it is unset.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** The oracle folder from `CFS_ORACLE`, or `undefined` when unset or empty. */
export function oracleDir(): string | undefined {
  const dir = Deno.env.get("CFS_ORACLE");
  return dir ? dir : undefined;
}

/** What one run of the C tool gave back. */
export interface OracleResult {
  /** Exit code. */
  code: number;
  /** Everything written to stdout (the image, when IMAGE is `-`). */
  stdout: Uint8Array;
  /** Everything written to stderr, decoded for display. */
  stderr: string;
}

/** Options of {@link runMkcomposefs}. */
export interface RunOptions {
  /** Set `CFS_PARSE_STRICT=1` for the C tool. */
  strict?: boolean;
  /** The oracle folder; defaults to {@link oracleDir}. */
  oracle?: string;
}

/**
 * Runs C `mkcomposefs --from-file ARGS - -` with `dump` on stdin and returns the image from
 * stdout. `args` are extra options such as `--min-version=1`. With `--print-digest-only` in
 * `args` the trailing IMAGE argument is left out, as the C tool requires.
 */
export async function runMkcomposefs(
  dump: Uint8Array,
  args: readonly string[] = [],
  options: RunOptions = {},
): Promise<OracleResult> {
  const dir = options.oracle ?? oracleDir();
  if (!dir) throw new Error("Cannot run the C oracle: CFS_ORACLE is not set");
  const positional = args.includes("--print-digest-only") ? ["-"] : ["-", "-"];
  const env: Record<string, string> = {};
  // The C tool turns strict mode on when the variable is set at all, even to "".
  if (options.strict) env.CFS_PARSE_STRICT = "1";
  const child = new Deno.Command(`${dir}/mkcomposefs`, {
    args: ["--from-file", ...args, ...positional],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env,
  }).spawn();
  // Write stdin while the output is drained, so a large dump or image cannot deadlock the pipes.
  const feed = (async () => {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(dump);
      await writer.close();
    } catch {
      // The C tool stops reading at the first bad line; a broken pipe is expected then.
    }
  })();
  const out = await child.output();
  await feed;
  return {
    code: out.code,
    stdout: out.stdout,
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Index of the first byte where `a` and `b` differ, or -1 when they are equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Hex dump of `bytes[at-16, at+48)`, for mismatch reports. */
export function hexAround(bytes: Uint8Array, at: number): string {
  const start = Math.max(0, (at & ~15) - 16);
  const lines: string[] = [];
  for (let o = start; o < Math.min(bytes.length, start + 64); o += 16) {
    const row = Array.from(bytes.subarray(o, Math.min(bytes.length, o + 16)))
      .map((b) => b.toString(16).padStart(2, "0"))
      .join(" ");
    lines.push(`${o.toString(16).padStart(8, "0")}  ${row}`);
  }
  return lines.join("\n");
}
