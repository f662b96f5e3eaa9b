/**
 * The few file-system operations the directory walk needs, in two backends: libc through FFI
 * (raw name bytes, nanoseconds, xattrs), and Deno's own APIs for runs without `--allow-ffi`.
 * The Deno backend only serves cases where the result cannot differ; `scan.ts` decides when.
 *
 * Every operation throws {@link SysError} (message = glibc's `strerror` text).
 *
 * @module
 */
import { errnoOfName, strerrorText, SysError } from "./errno.ts";
import { ByteArena } from "../../spec/bytes/byte_arena.ts";
import * as libc from "./libc.ts";
import type { DirNames, Stat } from "./libc.ts";

export type { DirNames, Stat };

/** Walk operations over directory handles of type `D`; `null` means the current directory. */
export interface FsOps<D> {
  /** Opens the directory `name` in `parent` for listing, never following a symlink. */
  openDir(parent: D | null, name: Uint8Array): D;
  /** Releases a handle from {@link FsOps.openDir}. */
  closeDir(dir: D): void;
  /** All entries except `.` and `..`, in the order the file system gives them. */
  list(dir: D): DirNames;
  /** lstat semantics: a symlink is described, not followed. */
  lstat(dir: D | null, name: Uint8Array): Stat;
  /** The symlink target, read into a buffer of {@link libc.READLINK_MAX} bytes as C does. */
  readlink(dir: D | null, name: Uint8Array): Uint8Array;
  /**
   * Calls `each` for every xattr of the entry itself (symlinks not followed), in listxattr
   * order, reading one value at a time so errors surface in C's order. With `userOnly`, names
   * not starting with `user.` are not read. `path` is the same entry relative to the current
   * directory (`dir` + `/` + `name`), which saves calls when it is short enough.
   */
  xattrs(
    dir: D | null,
    name: Uint8Array,
    path: Uint8Array,
    userOnly: boolean,
    each: (key: Uint8Array, value: Uint8Array) => void,
  ): void;
}

/** getdents64 buffer of one walk (the walk is single-threaded). */
const DIRENT_BUF_SIZE = 64 * 1024;
/** `PATH_MAX` (linux/limits.h): longer paths make path-based calls fail with ENAMETOOLONG. */
const PATH_MAX = 4096;

function hasUserPrefix(key: Uint8Array): boolean {
  // "user."
  return key.length >= 5 && key[0] === 0x75 && key[1] === 0x73 && key[2] === 0x65 &&
    key[3] === 0x72 && key[4] === 0x2e;
}

/** The libc backend; handles are directory file descriptors. Symlink targets are copied into `arena`. */
export function ffiOps(arena: ByteArena = new ByteArena(64 * 1024)): FsOps<number> {
  const direntBuf = new Uint8Array(DIRENT_BUF_SIZE);
  const linkBuf = new Uint8Array(libc.READLINK_MAX);
  const at = (dir: number | null) => dir ?? libc.AT_FDCWD;
  const enc = new TextEncoder();
  return {
    openDir: (parent, name) =>
      libc.openAt(at(parent), name, libc.O_RDONLY | libc.O_DIRECTORY | libc.O_NOFOLLOW),
    closeDir: (dir) => libc.closeFd(dir),
    list: (dir) => libc.readDirNames(dir, direntBuf),
    lstat: (dir, name) => libc.statxAt(at(dir), name, libc.AT_SYMLINK_NOFOLLOW),
    readlink: (dir, name) => arena.copy(libc.readlinkAt(at(dir), name, linkBuf)),
    xattrs(dir, name, path, userOnly, each) {
      if (path.length < PATH_MAX) {
        // llistxattr on the path reads the same entry as C's O_PATH descriptor below, in one
        // call instead of three.
        for (const key of libc.listXattrs(path, true)) {
          if (userOnly && !hasUserPrefix(key)) continue;
          each(key, libc.getXattrValue(path, key, true));
        }
        return;
      }
      // As C: an O_PATH descriptor of the entry itself, then the path-based calls on its
      // /proc/self/fd link, which reach the entry without following a symlink.
      const fd = libc.openAt(at(dir), name, libc.O_PATH | libc.O_NOFOLLOW);
      try {
        const proc = enc.encode(`/proc/self/fd/${fd}`);
        for (const key of libc.listXattrs(proc)) {
          if (userOnly && !hasUserPrefix(key)) continue;
          each(key, libc.getXattrValue(proc, key));
        }
      } finally {
        libc.closeFd(fd);
      }
    },
  };
}

/** Turns an error of a Deno API into a {@link SysError} with glibc's text. */
export function sysErrorOfDeno(e: unknown, syscall: string): SysError {
  if (e instanceof SysError) return e;
  const code = (e as { code?: unknown })?.code;
  const errno = typeof code === "string" ? errnoOfName(code) : undefined;
  if (errno !== undefined) return new SysError(errno, syscall, strerrorText(errno));
  const text = e instanceof Error ? e.message.replace(/ \(os error \d+\).*$/s, "") : String(e);
  return new SysError(0, syscall, text);
}

const DT_OF_MODE: Record<number, number> = {
  0o010000: 1, // DT_FIFO
  0o020000: libc.DT_CHR,
  0o040000: libc.DT_DIR,
  0o060000: libc.DT_BLK,
  0o100000: 8, // DT_REG
  0o120000: 10, // DT_LNK
  0o140000: 12, // DT_SOCK
};

const REPLACEMENT_CHAR = "\uFFFD";
const NOT_UTF8 = "Name is not valid UTF-8 (run with --allow-ffi to read it)";

/**
 * The Deno backend; handles are path strings. Names must be valid UTF-8 (Deno decodes them
 * lossily, so a U+FFFD means the real bytes are lost and we refuse). It has no xattrs and no
 * nanoseconds: `mtimeNsec` is always 0 and {@link FsOps.xattrs} throws.
 */
export function denoOps(): FsOps<string> {
  const dec = new TextDecoder("utf-8", { fatal: true });
  const enc = new TextEncoder();
  const text = (name: Uint8Array) => {
    try {
      return dec.decode(name);
    } catch {
      throw new SysError(84, "decode", NOT_UTF8);
    }
  };
  const path = (dir: string | null, name: Uint8Array) =>
    dir === null ? text(name) : dir.endsWith("/") ? dir + text(name) : `${dir}/${text(name)}`;
  const call = <T>(syscall: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw sysErrorOfDeno(e, syscall);
    }
  };
  const lstat = (p: string): Stat => {
    const s = call("lstat", () => Deno.lstatSync(p));
    return {
      mode: s.mode ?? 0,
      uid: s.uid ?? 0,
      gid: s.gid ?? 0,
      nlink: s.nlink ?? 1,
      rdev: (s.rdev ?? 0) >>> 0,
      size: BigInt(s.size),
      mtimeSec: BigInt(Math.floor((s.mtime?.getTime() ?? 0) / 1000)),
      mtimeNsec: 0,
      dev: s.dev,
      ino: s.ino ?? 0,
    };
  };
  return {
    openDir(parent, name) {
      const p = path(parent, name);
      const s = call("open", () => Deno.lstatSync(p));
      if (s.isSymlink) throw new SysError(40, "open", strerrorText(40));
      if (!s.isDirectory) throw new SysError(20, "open", strerrorText(20));
      return p;
    },
    closeDir() {},
    list(dir) {
      const out = new libc.DirNamesBuilder();
      for (const e of call("readdir", () => [...Deno.readDirSync(dir)])) {
        if (e.name.includes(REPLACEMENT_CHAR)) {
          throw new SysError(84, "readdir", `${NOT_UTF8}: ${JSON.stringify(e.name)}`);
        }
        let type = e.isDirectory ? libc.DT_DIR : e.isFile ? 8 : e.isSymlink ? 10 : libc.DT_UNKNOWN;
        if (type === libc.DT_UNKNOWN) {
          type = DT_OF_MODE[lstat(`${dir}/${e.name}`).mode & 0o170000] ?? libc.DT_UNKNOWN;
        }
        out.add(enc.encode(e.name), type);
      }
      return out.finish();
    },
    lstat: (dir, name) => lstat(path(dir, name)),
    readlink(dir, name) {
      const target = call("readlink", () => Deno.readLinkSync(path(dir, name)));
      if (target.includes(REPLACEMENT_CHAR)) {
        throw new SysError(
          84,
          "readlink",
          `Symlink target is not valid UTF-8 (run with --allow-ffi)`,
        );
      }
      return enc.encode(target);
    },
    xattrs() {
      throw new SysError(95, "listxattr", "Reading xattrs needs --allow-ffi");
    },
  };
}
