/**
 * Least privilege for the command-line tools. Each run states the Deno permissions its mode
 * needs ({@link PermissionNeeds}); {@link enforcePermissions} checks them before anything is
 * read or written, so a missing one is one clear line naming the flag to add (never a prompt,
 * never a stack trace), then revokes every permission kind the mode does not use, so a tool
 * started with `-A` keeps only what it needs.
 *
 * Deno can only take permissions away, never narrow a kind to some paths: a global
 * `--allow-read` stays global. What we can drop is whole kinds (network, environment,
 * subprocesses, FFI, system information, writing when nothing is written, …).
 *
 * @module
 */
/** The permission kinds Deno has; all but the needed ones are revoked. */
export const PERMISSION_KINDS = [
  "read",
  "write",
  "ffi",
  "env",
  "net",
  "run",
  "sys",
  "import",
] as const;

/** One Deno permission kind. */
export type PermissionKind = typeof PERMISSION_KINDS[number];

/** What one run of a tool needs. Paths are as the user typed them (relative to the cwd). */
export interface PermissionNeeds {
  /** Paths that must be readable. */
  read: string[];
  /** Paths that must be writable. */
  write: string[];
  /** FFI must be granted (directory mode reads xattrs and raw names through libc). */
  ffi: boolean;
  /** Kinds used when granted but not required; they are kept rather than revoked. */
  optional: PermissionKind[];
  /**
   * The run may need Deno's "all" access: Deno reopens `/proc/self/fd/N` that is not a pipe
   * only for a process holding every permission, so revoking any kind would break it. When
   * set and every kind is granted, nothing is revoked.
   */
  mayNeedAll?: boolean;
}

/** The command-line flags for `needs` that are not granted, e.g. `["--allow-read=a,b"]`. */
export function missingPermissionFlags(needs: PermissionNeeds): string[] {
  const flags: string[] = [];
  const missingPaths = (name: "read" | "write", paths: string[]) =>
    unique(paths).filter((path) => Deno.permissions.querySync({ name, path }).state !== "granted");
  const read = missingPaths("read", needs.read);
  if (read.length > 0) flags.push(`--allow-read=${read.join(",")}`);
  const write = missingPaths("write", needs.write);
  if (write.length > 0) flags.push(`--allow-write=${write.join(",")}`);
  if (needs.ffi && Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    flags.push("--allow-ffi");
  }
  return flags;
}

function isGranted(name: PermissionKind): boolean {
  return Deno.permissions.querySync({ name }).state === "granted";
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

/** Revokes every permission kind `needs` neither requires nor lists as optional. */
export function dropPermissions(needs: PermissionNeeds): void {
  if (needs.mayNeedAll && PERMISSION_KINDS.every(isGranted)) return;
  const keep: PermissionKind[] = [...needs.optional];
  if (needs.read.length > 0) keep.push("read");
  if (needs.write.length > 0) keep.push("write");
  if (needs.ffi) keep.push("ffi");
  revokeAllBut(keep);
}

/**
 * Revokes every permission kind not in `keep`, e.g. `revokeAllBut(["read"])` for a tool that
 * only reads files.
 */
export function revokeAllBut(keep: readonly PermissionKind[]): void {
  for (const name of PERMISSION_KINDS) {
    if (!keep.includes(name)) Deno.permissions.revokeSync({ name });
  }
}

/** A permission the run needs is not granted; the message names the flags to add. */
export class MissingPermissionError extends Error {
  /** The flags to add, e.g. `["--allow-read=in.dump", "--allow-write=."]`. */
  readonly flags: string[];

  constructor(flags: string[]) {
    super(`missing Deno permissions: run deno with ${flags.join(" ")}`);
    this.name = "MissingPermissionError";
    this.flags = flags;
  }
}

/**
 * Checks `needs` and then drops the rest. Throws a {@link MissingPermissionError}
 * (`missing Deno permissions: run deno with --allow-read=in.dump`) when something is not granted.
 */
export function enforcePermissions(needs: PermissionNeeds): void {
  const missing = missingPermissionFlags(needs);
  if (missing.length > 0) throw new MissingPermissionError(missing);
  dropPermissions(needs);
}

/** The folder a new file at `path` goes into (`.` for a bare name), as the user wrote it. */
export function parentDir(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const i = trimmed.lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : trimmed.slice(0, i);
}

/**
 * A one-line explanation of a `Deno.errors.NotCapable` error that names the flag to add.
 * Deno's own text ends in "run again with the --allow-read flag"; we give the path too. For
 * `/proc/self/fd/N` Deno wants `--allow-all` unless the descriptor is a pipe (it treats the
 * magic links as special files), so we say so and point at `-`, which needs no permission.
 */
export function describeNotCapable(message: string): string {
  const m = /^Requires (\w+) access to "([^"]*)"/.exec(message);
  if (m === null) {
    const kind = /^Requires (\w+) access/.exec(message);
    return kind === null ? message : `missing Deno permission: run deno with --allow-${kind[1]}`;
  }
  const [, kind, path] = m;
  if (kind === "all" && /^\/(proc\/[^/]+|dev)\/fd\/\d+$/.test(path!)) {
    return `Deno opens ${path} only with --allow-all when it is not a pipe; ` +
      "write the image to - (stdout) instead, which needs no permission";
  }
  if (kind === "all") return `Deno needs --allow-all to open ${path}`;
  return `missing Deno permission: run deno with --allow-${kind}=${path}`;
}
