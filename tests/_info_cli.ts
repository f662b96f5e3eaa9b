/**
 * Test helpers for composefs-info: run ours in-process and C's as a process, with the same
 * result shape, and show where two outputs first differ.
 *
 * @module
 */
import { composefsInfo } from "../src/cli/composefs_info.ts";
import { oracleDir } from "./_oracle.ts";

/** Exit code, stdout bytes and stderr text of one run. */
export interface InfoRun {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/** Runs our composefs-info in this process, capturing its output. */
export function runOurInfo(args: readonly string[]): InfoRun {
  const chunks: Uint8Array[] = [];
  let stderr = "";
  const code = composefsInfo(args, {
    stdout: (b) => chunks.push(b.slice()),
    stderr: (t) => (stderr += t),
  });
  let n = 0;
  for (const c of chunks) n += c.length;
  const stdout = new Uint8Array(n);
  n = 0;
  for (const c of chunks) {
    stdout.set(c, n);
    n += c.length;
  }
  return { code, stdout, stderr };
}

/**
 * Runs C composefs-info from `CFS_ORACLE`. Its getopt messages and usage name its `argv[0]`;
 * they are rewritten to `composefs-info`, the name ours uses.
 */
export async function runCInfo(args: readonly string[]): Promise<InfoRun> {
  const dir = oracleDir();
  if (!dir) throw new Error("Cannot run the C oracle: CFS_ORACLE is not set");
  const out = await new Deno.Command(`${dir}/composefs-info`, {
    args: [...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr).replace(
    /^\S*\/composefs-info(?=:| \[)/gm,
    "composefs-info",
  ).replace(/^usage: \S*\/composefs-info /gm, "usage: composefs-info ");
  return { code: out.code, stdout: out.stdout, stderr };
}

/** The first differing line of two texts, with its number, or null when equal. */
export function firstLineDiff(ours: Uint8Array, theirs: Uint8Array): string | null {
  const a = new TextDecoder().decode(ours).split("\n");
  const b = new TextDecoder().decode(theirs).split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `line ${i + 1}:\n  ours: ${JSON.stringify(a[i])}\n  C:    ${JSON.stringify(b[i])}`;
    }
  }
  return ours.length === theirs.length ? null : "same lines, different bytes";
}
