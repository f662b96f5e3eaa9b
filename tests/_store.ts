/**
 * Helpers for the digest-store tests: run either tool with a umask, list a store (names, types,
 * modes, sizes and content hashes), find leftovers, and mount scratch file systems as root.
 *
 * @module
 */
import { createHash } from "node:crypto";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const dec = new TextDecoder();

/** What one run gave back. */
export interface ToolRun {
  code: number;
  stderr: string;
}

/** The flags `deno task mkcomposefs` runs with (no -A: the store must work with these). */
export const OUR_FLAGS = ["--quiet", "--no-prompt", "--allow-read", "--allow-write", "--allow-ffi"];

/** The command line of one tool: `c` (the oracle's mkcomposefs) or `ours` (cli.ts). */
export function toolArgv(tool: "c" | "ours", oracle: string | undefined, args: string[]): string[] {
  return tool === "c"
    ? [`${oracle}/mkcomposefs`, ...args]
    : [Deno.execPath(), "run", ...OUR_FLAGS, CLI, ...args];
}

/** Runs `argv` under `umask` (octal), capturing stderr. */
export async function runWithUmask(argv: string[], umask = 0o022): Promise<ToolRun> {
  const r = await new Deno.Command("sh", {
    args: ["-c", `umask ${umask.toString(8)}; exec "$@"`, "sh", ...argv],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: r.code, stderr: dec.decode(r.stderr) };
}

/** Spawns `argv` (stderr piped); the caller awaits `.output()`. */
export function spawnTool(argv: string[]): Deno.ChildProcess {
  return new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

/** One line per entry under `dir`: `path type mode size sha256`, sorted. Empty if missing. */
export async function listStore(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(rel === "" ? dir : `${dir}/${rel}`)) {
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      const st = await Deno.lstat(`${dir}/${path}`);
      const mode = (st.mode! & 0o7777).toString(8);
      if (st.isDirectory) {
        out.push(`${path} dir ${mode}`);
        await walk(path);
      } else {
        const hash = st.isFile
          ? createHash("sha256").update(await Deno.readFile(`${dir}/${path}`)).digest("hex")
          : "-";
        out.push(`${path} ${st.isFile ? "file" : "other"} ${mode} ${st.size} ${hash}`);
      }
    }
  };
  try {
    await walk("");
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}

/** Entries of `dir`'s root whose name starts with `.tmp`: temporary files left behind. */
export async function tempLeftovers(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.name.startsWith(".tmp")) out.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

/** Runs a command quietly; true on success. */
export async function sh(cmd: string, args: string[]): Promise<boolean> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
    return r.success;
  } catch {
    return false;
  }
}

/** A mounted scratch file system and how to take it down. */
export interface ScratchMount {
  dir: string;
  done: () => Promise<void>;
}

/**
 * Mounts a scratch file system (root only) under a new temp folder, or returns the reason it
 * cannot: `tmpfs` with `size` (e.g. `"1m"`), or a loop image made by `mkfs` with `args`.
 */
export async function scratchMount(
  kind: { tmpfs: string } | { mkfs: string; args: string[]; sizeMiB: number },
): Promise<ScratchMount | string> {
  if (Deno.uid() !== 0) return "not root";
  const work = await Deno.makeTempDir({ prefix: "cfs-mnt-" });
  const mnt = `${work}/mnt`;
  await Deno.mkdir(mnt);
  const fail = async (why: string) => {
    await Deno.remove(work, { recursive: true });
    return why;
  };
  if ("tmpfs" in kind) {
    if (!await sh("mount", ["-t", "tmpfs", "-o", `size=${kind.tmpfs}`, "tmpfs", mnt])) {
      return fail("cannot mount tmpfs");
    }
  } else {
    const img = `${work}/fs.img`;
    if (!await sh("truncate", ["-s", `${kind.sizeMiB}M`, img])) return fail("truncate failed");
    if (!await sh(kind.mkfs, [...kind.args, img])) {
      return fail(`${kind.mkfs} not available or failed`);
    }
    if (!await sh("mount", ["-o", "loop", img, mnt])) return fail("cannot loop-mount the image");
  }
  return {
    dir: mnt,
    done: async () => {
      await sh("umount", [mnt]);
      await Deno.remove(work, { recursive: true });
    },
  };
}
