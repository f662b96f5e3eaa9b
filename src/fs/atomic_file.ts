/**
 * Output that never leaves a half-written file: a regular destination is written to a temporary
 * file beside it and renamed into place only once complete. Destinations that are not regular
 * paths (`-`, pipes, `/proc/self/fd/N`, devices) are written directly, as nothing can be renamed
 * onto them.
 *
 * @module
 */

/** Where the bytes go: stdout, an existing non-regular file, or a path replaced atomically. */
export type OutputTarget =
  | { kind: "stdout" }
  | { kind: "direct"; path: string }
  | { kind: "atomic"; path: string };

/** Calls `write` with the output's bytes, in order; each chunk is used before `write` returns. */
export type Producer = (write: (chunk: Uint8Array) => void) => void;

/** Decides how to write `path` (`-` is stdout). */
export function resolveOutputTarget(path: string): OutputTarget {
  if (path === "-") return { kind: "stdout" };
  if (/^\/(proc\/(self|thread-self|\d+)\/fd|dev\/fd)\/\d+$/.test(path)) {
    return { kind: "direct", path };
  }
  try {
    const st = Deno.statSync(path);
    if (!st.isFile) return { kind: "direct", path };
    // Replace the file a symlink points at, not the link, as fopen("w") would.
    return { kind: "atomic", path: Deno.realPathSync(path) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { kind: "atomic", path };
    throw e;
  }
}

function writeAll(file: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
}

function dirAndBase(path: string): [string, string] {
  const i = path.lastIndexOf("/");
  if (i < 0) return [".", path];
  return [i === 0 ? "/" : path.slice(0, i), path.slice(i + 1)];
}

/** Temporary files of this process not yet renamed, removed if we are interrupted. */
const pending = new Set<string>();
let signalsHooked = false;

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  const cleanup = (code: number) => () => {
    for (const p of pending) {
      try {
        Deno.removeSync(p);
      } catch { /* already gone */ }
    }
    Deno.exit(code);
  };
  try {
    Deno.addSignalListener("SIGINT", cleanup(130));
    Deno.addSignalListener("SIGTERM", cleanup(143));
  } catch { /* signals unsupported here: nothing to hook */ }
}

/**
 * Writes `chunks` to `target`. For an atomic target the file is created as `.NAME.XXXXXX` in the
 * same folder (mode 0666 less the umask, as C's fopen), filled and renamed; on any failure it is
 * removed and the error rethrown. No fsync: like the C tool we leave durability to the caller's
 * file system, and rename keeps readers from ever seeing a partial image.
 */
export function writeOutput(target: OutputTarget, produce: Producer): void {
  if (target.kind === "stdout") {
    produce((c) => writeAll(Deno.stdout, c));
    return;
  }
  if (target.kind === "direct") {
    using f = Deno.openSync(target.path, { write: true, create: true, truncate: true });
    produce((c) => writeAll(f, c));
    return;
  }
  const [dir, base] = dirAndBase(target.path);
  hookSignals();
  let tmp = "";
  let file: Deno.FsFile | undefined;
  for (let attempt = 0; file === undefined; attempt++) {
    const suffix = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36);
    tmp = `${dir}/.${base}.${suffix}.tmp`;
    try {
      file = Deno.openSync(tmp, { write: true, createNew: true, mode: 0o666 });
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists) || attempt > 100) throw e;
    }
  }
  pending.add(tmp);
  try {
    try {
      const out = file;
      produce((c) => writeAll(out, c));
    } finally {
      file.close();
    }
    Deno.renameSync(tmp, target.path);
    pending.delete(tmp);
  } catch (e) {
    pending.delete(tmp);
    try {
      Deno.removeSync(tmp);
    } catch { /* nothing to remove */ }
    throw e;
  }
}
