/**
 * A scratch copy of the tools for tests that run the README's commands verbatim: `cli.ts`,
 * `spec/` and `src/` in a fresh temporary folder that anyone may read (the sandbox test runs
 * there as `nobody`), and a shell runner.
 */

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const DENO_BIN = Deno.execPath().replace(/\/[^/]*$/, "");

/** A new temporary folder holding a copy of the tools' source, mode 0755. */
export async function makeWorkspace(): Promise<string> {
  const w = await Deno.makeTempDir({ prefix: "cfs-ts-" });
  await Deno.chmod(w, 0o755);
  const out = await new Deno.Command("cp", {
    args: ["-R", `${ROOT}cli.ts`, `${ROOT}spec`, `${ROOT}src`, w],
  }).output();
  if (!out.success) {
    throw new Error(`Cannot copy the sources: ${new TextDecoder().decode(out.stderr)}`);
  }
  return w;
}

/** What a command did. */
export interface ShellResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` with `bash -o pipefail -c` in `cwd`, `deno` first on the PATH, and returns its
 * exit status and output. `stdin` is fed when given, else stdin is empty.
 */
export async function runShell(
  command: string,
  cwd: string,
  options: { stdin?: Uint8Array; env?: Record<string, string> } = {},
): Promise<ShellResult> {
  const child = new Deno.Command("bash", {
    args: ["-o", "pipefail", "-c", command],
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", PATH: `${DENO_BIN}:${Deno.env.get("PATH") ?? ""}`, ...options.env },
  }).spawn();
  const w = child.stdin.getWriter();
  if (options.stdin) await w.write(options.stdin);
  await w.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
