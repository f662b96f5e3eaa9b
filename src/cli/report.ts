/**
 * The one place that turns an error into the single stderr line and exit code 1 the tools
 * promise: `<program>: <what>: <why>`, never a stack trace.
 *
 * @module
 */
import { describeNotCapable } from "./permissions.ts";

/** An error the command line reports as it is: its message is already the whole line. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

/** The `strerror` text C prints for a Deno error, so our lines read like the C tool's. */
export function strerrorOf(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (e instanceof Deno.errors.AlreadyExists) return "File exists";
  if (e instanceof Deno.errors.NotADirectory) return "Not a directory";
  if (e instanceof Deno.errors.IsADirectory) return "Is a directory";
  if (e instanceof Deno.errors.NotCapable) return describeNotCapable(messageOf(e));
  return messageOf(e);
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message.split("\n")[0] ?? e.message;
  return String(e);
}

/** Writes `<program>: <message>` to stderr, one line. */
export function reportError(program: string, e: unknown): void {
  const text = e instanceof CliError
    ? e.message
    : e instanceof Deno.errors.NotCapable
    ? describeNotCapable(messageOf(e))
    : messageOf(e);
  const line = `${program}: ${text.replaceAll("\n", " ")}\n`;
  Deno.stderr.writeSync(new TextEncoder().encode(line));
}

/**
 * Runs a command-line main function: any thrown error becomes one stderr line and exit 1.
 * `main` returns the exit code for the other cases.
 */
export async function runMain(program: string, main: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (e) {
    reportError(program, e);
    code = 1;
  }
  Deno.exit(code);
}
