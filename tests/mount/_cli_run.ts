/**
 * Running our mount.composefs (with the `deno task mount-composefs` permissions, read from
 * deno.json) and the C helper from the oracle package, and reading their verdicts.
 *
 * @module
 */
import { oracleDir } from "../_oracle.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);

/** What a run gave back. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The `deno run …` flags of the `mount-composefs` task in deno.json. */
export function taskFlags(): string[] {
  const json = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const task: string = json.tasks["mount-composefs"];
  const words = task.split(/\s+/);
  assertEq(words[0], "deno");
  assertEq(words[1], "run");
  return words.slice(2, -1);
}

function assertEq(a: unknown, b: unknown): void {
  if (a !== b) throw new Error(`deno.json task: expected ${b}, got ${a}`);
}

/** The command line that runs our tool as the task does. */
export function ourCommand(): string[] {
  return [Deno.execPath(), "run", ...taskFlags(), `${ROOT}src/cli/mount_composefs.ts`];
}

async function run(cmd: string[], env: Record<string, string> = {}): Promise<Run> {
  const out = await new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs our mount.composefs with `args`. */
export function runOurs(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return run([...ourCommand(), ...args], env);
}

/** The C helper from `CFS_ORACLE`, or undefined. */
export function cHelper(): string | undefined {
  const dir = oracleDir();
  if (dir === undefined) return undefined;
  try {
    Deno.statSync(`${dir}/mount.composefs`);
    return `${dir}/mount.composefs`;
  } catch {
    return undefined;
  }
}

/** Runs the C helper with `args`. */
export function runC(args: readonly string[]): Promise<Run> {
  return run([cHelper()!, ...args]);
}

/**
 * The first stderr line without the program prefix (`mount.composefs: ` from errx, or the
 * full argv[0] getopt prints) and trailing blanks: the message itself.
 */
export function message(r: Run): string {
  const first = r.stderr.split("\n")[0] ?? "";
  return first.replace(/^\S*mount\.composefs: /, "").trimEnd();
}
