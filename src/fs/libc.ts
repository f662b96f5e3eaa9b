/**
 * The project's only `Deno.dlopen`: typed wrappers over the libc calls Deno lacks (raw-byte
 * names, nanosecond times, xattrs, device nodes, ioctls). Every wrapper takes paths and names as
 * `Uint8Array` (no NUL needed) and throws {@link SysError} with glibc's `strerror` text.
 *
 * libc is opened on first use, once per thread (workers open their own copy). Check
 * {@link ffiAvailable} before calling anything here.
 *
 * @module
 */
import { EINTR, ENOSPC, ENOSYS, ERANGE, SysError } from "./errno.ts";
import { AT_SYMLINK_NOFOLLOW, O_CLOEXEC } from "./fcntl.ts";
import { lazyLibc } from "./_libc_open.ts";

export {
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_SYMLINK_NOFOLLOW,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_PATH,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
} from "./fcntl.ts";

/** `DT_UNKNOWN`, `DT_CHR`, `DT_DIR`, `DT_BLK` (dirent.h). */
export const DT_UNKNOWN = 0;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_BLK = 6;

/** `STATX_BASIC_STATS` (linux/stat.h). */
const STATX_BASIC_STATS = 0x7ff;
/** `sizeof(struct statx)` (linux/stat.h). */
const STATX_SIZE = 256;
/** `XATTR_LIST_MAX` and `XATTR_SIZE_MAX` (linux/limits.h): the kernel never returns more. */
const XATTR_MAX = 65536;
/** Buffer offered for an xattr value before asking its size: most values are short. */
const XATTR_FIRST_TRY = 4096;
/** The readlink buffer C uses: `PATH_MAX` bytes (its `char target[PATH_MAX + 1]` minus one). */
export const READLINK_MAX = 4096;

const SYMBOLS = {
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
  openat: { parameters: ["i32", "buffer", "i32", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  getdents64: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  statx: { parameters: ["i32", "buffer", "i32", "u32", "buffer"], result: "i32" },
  readlinkat: { parameters: ["i32", "buffer", "buffer", "usize"], result: "isize" },
  listxattr: { parameters: ["buffer", "buffer", "usize"], result: "isize" },
  getxattr: { parameters: ["buffer", "buffer", "buffer", "usize"], result: "isize" },
  llistxattr: { parameters: ["buffer", "buffer", "usize"], result: "isize" },
  lgetxattr: { parameters: ["buffer", "buffer", "buffer", "usize"], result: "isize" },
  lsetxattr: { parameters: ["buffer", "buffer", "buffer", "usize", "i32"], result: "i32" },
  mkdirat: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  mknodat: { parameters: ["i32", "buffer", "u32", "u64"], result: "i32" },
  symlinkat: { parameters: ["buffer", "i32", "buffer"], result: "i32" },
  linkat: { parameters: ["i32", "buffer", "i32", "buffer", "i32"], result: "i32" },
  fchownat: { parameters: ["i32", "buffer", "u32", "u32", "i32"], result: "i32" },
  fchmodat: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  utimensat: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  ioctl_int: { name: "ioctl", parameters: ["i32", "u64", "i64"], result: "i32" },
  copy_file_range: {
    parameters: ["i32", "pointer", "i32", "pointer", "usize", "u32"],
    result: "isize",
  },
  fsync: { parameters: ["i32"], result: "i32" },
  fchmod: { parameters: ["i32", "u32"], result: "i32" },
  renameat: { parameters: ["i32", "buffer", "i32", "buffer"], result: "i32" },
  renameat2: {
    parameters: ["i32", "buffer", "i32", "buffer", "u32"],
    result: "i32",
    optional: true,
  },
  unlinkat: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  faccessat: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const libcHandle = lazyLibc(SYMBOLS);

function lib(): Libc {
  return libcHandle().symbols;
}

/** The calling thread's errno; read it right after the failing call. */
function errno(): number {
  return libcHandle().errno();
}

/**
 * True when this process may and can use libc through FFI: Linux, and `--allow-ffi` granted.
 * Without it, callers must fall back to Deno's APIs or refuse.
 */
export function ffiAvailable(): boolean {
  if (Deno.build.os !== "linux") return false;
  return Deno.permissions.querySync({ name: "ffi" }).state === "granted";
}

/** glibc's `strerror` text for `errnum`. */
export function strerror(errnum: number): string {
  return libcHandle().strerror(errnum);
}

function fail(syscall: string): never {
  return libcHandle().fail(syscall);
}

/** `bytes` plus a NUL, as C wants a path or a name. */
export function cString(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** Two reusable C-string buffers for the hot calls (a path and a name at once). */
const scratch: Uint8Array<ArrayBuffer>[] = [new Uint8Array(4352), new Uint8Array(512)];

/** `bytes` plus a NUL in scratch buffer `slot`; valid until the next call with that slot. */
function cStr(bytes: Uint8Array, slot: 0 | 1): Uint8Array<ArrayBuffer> {
  let s = scratch[slot]!;
  if (s.length <= bytes.length) s = scratch[slot] = new Uint8Array(bytes.length + 256);
  s.set(bytes);
  s[bytes.length] = 0;
  return s;
}

function num(x: number | bigint): number {
  return typeof x === "bigint" ? Number(x) : x;
}

/** `openat(2)`; returns the new descriptor. */
export function openAt(dirfd: number, path: Uint8Array, flags: number, mode = 0): number {
  const fd = lib().openat(dirfd, cStr(path, 0), flags | O_CLOEXEC, mode);
  if (fd < 0) fail("openat");
  return fd;
}

/** `close(2)`; errors are ignored, as C's cleanup handlers do. */
export function closeFd(fd: number): void {
  lib().close(fd);
}

/** `read(2)` into `buf`, retrying on EINTR; returns the count (0 at end of file). */
export function readFd(fd: number, buf: Uint8Array<ArrayBuffer>): number {
  for (;;) {
    const n = num(lib().read(fd, buf, BigInt(buf.length)));
    if (n >= 0) return n;
    if (errno() !== EINTR) fail("read");
  }
}

/** `write(2)` of all of `data`; a write of 0 bytes is ENOSPC, as C's `write_to_fd` says. */
export function writeAll(fd: number, data: Uint8Array<ArrayBuffer>): void {
  let off = 0;
  while (off < data.length) {
    const n = num(lib().write(fd, data.subarray(off), BigInt(data.length - off)));
    if (n < 0) {
      if (errno() === EINTR) continue;
      fail("write");
    }
    if (n === 0) throw new SysError(ENOSPC, "write", strerror(ENOSPC));
    off += n;
  }
}

/** One directory entry as `getdents64` gives it. */
export interface DirEntry {
  /** Raw name bytes (a copy). */
  name: Uint8Array;
  /** `d_type`: {@link DT_DIR}, {@link DT_UNKNOWN} … */
  type: number;
}

/** `struct linux_dirent64` offsets (linux/dirent.h). */
const D_RECLEN = 16;
const D_TYPE = 18;
const D_NAME = 19;

/**
 * The entries of one directory, packed: names back to back (entry `i` is
 * `names[i === 0 ? 0 : ends[i - 1] .. ends[i]]`) and one `d_type` each. No object per entry:
 * a large directory's entries live as long as its walk, long enough to be promoted.
 */
export interface DirNames {
  readonly names: Uint8Array;
  readonly ends: Uint32Array;
  readonly types: Uint8Array;
  readonly count: number;
}

/** The name of entry `i` of `d`, a view. */
export function dirName(d: DirNames, i: number): Uint8Array {
  return d.names.subarray(i === 0 ? 0 : d.ends[i - 1]!, d.ends[i]!);
}

/** Builds a {@link DirNames} entry by entry. */
export class DirNamesBuilder {
  #names = new Uint8Array(1024);
  #ends = new Uint32Array(64);
  #types = new Uint8Array(64);
  #count = 0;
  #size = 0;

  add(name: Uint8Array, type: number): void {
    if (this.#size + name.length > this.#names.length) {
      const grown = new Uint8Array(Math.max(this.#names.length * 2, this.#size + name.length));
      grown.set(this.#names.subarray(0, this.#size));
      this.#names = grown;
    }
    if (this.#count === this.#ends.length) {
      const ends = new Uint32Array(this.#count * 2);
      ends.set(this.#ends);
      this.#ends = ends;
      const types = new Uint8Array(this.#count * 2);
      types.set(this.#types);
      this.#types = types;
    }
    this.#names.set(name, this.#size);
    this.#size += name.length;
    this.#ends[this.#count] = this.#size;
    this.#types[this.#count++] = type;
  }

  /** The entries, in exact-size arrays. */
  finish(): DirNames {
    return {
      names: this.#names.slice(0, this.#size),
      ends: this.#ends.slice(0, this.#count),
      types: this.#types.slice(0, this.#count),
      count: this.#count,
    };
  }
}

/**
 * Reads every entry of the open directory `fd` with `getdents64(2)`, `.` and `..` left out.
 * `buf` is scratch space (32 KiB or more).
 */
export function readDirNames(fd: number, buf: Uint8Array<ArrayBuffer>): DirNames {
  const out = new DirNamesBuilder();
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (;;) {
    const n = num(lib().getdents64(fd, buf, BigInt(buf.length)));
    if (n < 0) {
      if (errno() === EINTR) continue;
      fail("getdents64");
    }
    if (n === 0) return out.finish();
    for (let off = 0; off < n;) {
      const reclen = view.getUint16(off + D_RECLEN, true);
      const type = buf[off + D_TYPE]!;
      const start = off + D_NAME;
      let end = start;
      while (buf[end] !== 0) end++;
      off += reclen;
      // Skip "." and "..".
      if (
        buf[start] === 0x2e && (end === start + 1 || (end === start + 2 && buf[start + 1] === 0x2e))
      ) {
        continue;
      }
      out.add(buf.subarray(start, end), type);
    }
  }
}

/** {@link readDirNames} as one object per entry, each name a copy. */
export function readDirEntries(fd: number, buf: Uint8Array<ArrayBuffer>): DirEntry[] {
  const d = readDirNames(fd, buf);
  return Array.from(
    { length: d.count },
    (_, i) => ({ name: dirName(d, i).slice(), type: d.types[i]! }),
  );
}

/** The fields of `struct statx` the tree needs. */
export interface Stat {
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** The device number of a device node in the kernel's 32-bit `new_encode_dev` form. */
  rdev: number;
  size: bigint;
  mtimeSec: bigint;
  mtimeNsec: number;
  /** `st_dev` as a number (any encoding unique per device); see {@link inodeKey}. */
  dev: number;
  /** `st_ino` (exact below 2^53, which inode numbers stay under in practice). */
  ino: number;
}

/** `struct statx` offsets (linux/stat.h). */
const STX = {
  nlink: 16,
  uid: 20,
  gid: 24,
  mode: 28,
  ino: 32,
  size: 40,
  mtimeSec: 112,
  mtimeNsec: 120,
  rdevMajor: 128,
  rdevMinor: 132,
  devMajor: 136,
  devMinor: 140,
} as const;

let statxBuf: Uint8Array<ArrayBuffer> | undefined;
let statxView: DataView | undefined;

/**
 * `statx(2)` with `flags` (pass {@link AT_SYMLINK_NOFOLLOW} for lstat semantics). `rdev` is
 * glibc's `makedev` of the major and minor truncated to 32 bits, which is what C's `st_rdev`
 * holds after the u32 store in `lcfs_node_s`.
 */
export function statxAt(dirfd: number, path: Uint8Array, flags: number): Stat {
  if (statxBuf === undefined) {
    statxBuf = new Uint8Array(STATX_SIZE);
    statxView = new DataView(statxBuf.buffer);
  }
  const v = statxView!;
  if (lib().statx(dirfd, cStr(path, 0), flags, STATX_BASIC_STATS, statxBuf) !== 0) fail("statx");
  const major = v.getUint32(STX.rdevMajor, true);
  const minor = v.getUint32(STX.rdevMinor, true);
  const rdev = ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0;
  return {
    mode: v.getUint16(STX.mode, true),
    uid: v.getUint32(STX.uid, true),
    gid: v.getUint32(STX.gid, true),
    nlink: v.getUint32(STX.nlink, true),
    rdev,
    size: v.getBigUint64(STX.size, true),
    mtimeSec: v.getBigInt64(STX.mtimeSec, true),
    mtimeNsec: v.getUint32(STX.mtimeNsec, true),
    dev: v.getUint32(STX.devMajor, true) * 0x100000000 + v.getUint32(STX.devMinor, true),
    ino: v.getUint32(STX.ino + 4, true) * 0x100000000 + v.getUint32(STX.ino, true),
  };
}

/** `st_dev` and `st_ino` as one key, for hardlink and loop detection (built only when needed). */
export function inodeKey(st: Stat): string {
  return `${st.dev}:${st.ino}`;
}

/** `readlinkat(2)` into `buf` (C uses 4096 bytes); returns a copy of the target bytes. */
export function readlinkAt(
  dirfd: number,
  path: Uint8Array,
  buf: Uint8Array<ArrayBuffer>,
): Uint8Array {
  const n = num(lib().readlinkat(dirfd, cStr(path, 0), buf, BigInt(buf.length)));
  if (n < 0) fail("readlinkat");
  return buf.slice(0, n);
}

let xattrBuf: Uint8Array<ArrayBuffer> | undefined;

function xattrScratch(): Uint8Array<ArrayBuffer> {
  return xattrBuf ??= new Uint8Array(XATTR_MAX);
}

/**
 * `listxattr(2)` (or `llistxattr(2)` with `noFollow`) on `path`: the names in the kernel's
 * order, each without its NUL. One call with the largest possible buffer replaces C's size
 * query.
 */
export function listXattrs(path: Uint8Array, noFollow = false): Uint8Array[] {
  const buf = xattrScratch();
  const p = cStr(path, 0);
  const list = (b: Uint8Array<ArrayBuffer> | null, size: number) =>
    num(noFollow ? lib().llistxattr(p, b, BigInt(size)) : lib().listxattr(p, b, BigInt(size)));
  let n: number;
  for (;;) {
    // The size first, as C asks: the kernel allocates as much as we offer, and most files
    // have no xattrs at all (a 64 KiB buffer every time made the walk 40% slower).
    const need = list(null, 0);
    if (need < 0) fail("listxattr");
    if (need === 0) return [];
    n = list(buf, Math.min(need, buf.length));
    if (n >= 0) break;
    if (errno() !== ERANGE) fail("listxattr");
    // The list grew between the two calls: ask again.
  }
  const names: Uint8Array[] = [];
  for (let i = 0; i < n;) {
    let end = i;
    while (end < n && buf[end] !== 0) end++;
    names.push(buf.slice(i, end));
    i = end + 1;
  }
  return names;
}

/**
 * `getxattr(2)` (or `lgetxattr(2)` with `noFollow`) of `name` on `path`; returns a copy of the
 * value.
 */
export function getXattrValue(path: Uint8Array, name: Uint8Array, noFollow = false): Uint8Array {
  const buf = xattrScratch();
  const p = cStr(path, 0);
  const k = cStr(name, 1);
  const get = (b: Uint8Array<ArrayBuffer> | null, size: number) =>
    num(
      noFollow ? lib().lgetxattr(p, k, b, BigInt(size)) : lib().getxattr(p, k, b, BigInt(size)),
    );
  // A small buffer first (the kernel allocates what we offer); the size only when it is short.
  let size = XATTR_FIRST_TRY;
  for (;;) {
    const n = get(buf, size);
    if (n >= 0) return buf.slice(0, n);
    if (errno() !== ERANGE || size === buf.length) fail("getxattr");
    const need = get(null, 0);
    if (need < 0) fail("getxattr");
    size = Math.min(Math.max(need, size), buf.length);
  }
}

/** `lsetxattr(2)`: sets an xattr on `path` itself (no symlink following). */
export function lsetXattr(
  path: Uint8Array,
  name: Uint8Array,
  value: Uint8Array<ArrayBuffer>,
): void {
  if (lib().lsetxattr(cString(path), cString(name), value, BigInt(value.length), 0) !== 0) {
    fail("lsetxattr");
  }
}

/** `mkdirat(2)`. */
export function mkdirAt(dirfd: number, path: Uint8Array, mode: number): void {
  if (lib().mkdirat(dirfd, cString(path), mode) !== 0) fail("mkdirat");
}

/** `mknodat(2)`; `dev` is a 32-bit `new_encode_dev` number. */
export function mknodAt(dirfd: number, path: Uint8Array, mode: number, dev: number): void {
  if (lib().mknodat(dirfd, cString(path), mode, BigInt(dev >>> 0)) !== 0) fail("mknodat");
}

/** `symlinkat(2)`: creates `path` pointing at `target`. */
export function symlinkAt(target: Uint8Array, dirfd: number, path: Uint8Array): void {
  if (lib().symlinkat(cString(target), dirfd, cString(path)) !== 0) fail("symlinkat");
}

/** `linkat(2)` without following symlinks. */
export function linkAt(
  olddirfd: number,
  oldpath: Uint8Array,
  newdirfd: number,
  newpath: Uint8Array,
): void {
  if (lib().linkat(olddirfd, cString(oldpath), newdirfd, cString(newpath), 0) !== 0) {
    fail("linkat");
  }
}

/** `fchownat(2)` on the entry itself. */
export function lchownAt(dirfd: number, path: Uint8Array, uid: number, gid: number): void {
  if (lib().fchownat(dirfd, cString(path), uid, gid, AT_SYMLINK_NOFOLLOW) !== 0) {
    fail("fchownat");
  }
}

/** `fchmodat(2)`: sets the permission bits exactly (no umask), following no symlink. */
export function chmodAt(dirfd: number, path: Uint8Array, mode: number): void {
  if (lib().fchmodat(dirfd, cString(path), mode, 0) !== 0) fail("fchmodat");
}

/** `utimensat(2)` on the entry itself: sets atime and mtime to `sec`.`nsec`. */
export function lutimensAt(dirfd: number, path: Uint8Array, sec: bigint, nsec: number): void {
  const ts = new Uint8Array(32);
  const v = new DataView(ts.buffer);
  for (const at of [0, 16]) {
    v.setBigInt64(at, sec, true);
    v.setBigInt64(at + 8, BigInt(nsec), true);
  }
  if (lib().utimensat(dirfd, cString(path), ts, AT_SYMLINK_NOFOLLOW) !== 0) fail("utimensat");
}

/**
 * Calls `ioctl(2)` with a pointer argument. Returns its result (≥ 0), or minus the errno on
 * failure instead of throwing, since callers probe for support.
 */
export function ioctlPtr(fd: number, request: bigint, arg: Uint8Array<ArrayBuffer>): number {
  const r = lib().ioctl(fd, request, arg);
  return r >= 0 ? r : -errno();
}

/** `FICLONE` = `_IOW(0x94, 9, int)` (linux/fs.h). */
export const FICLONE = 0x40049409n;

/**
 * Makes `destFd` share the data of `srcFd` (a reflink, `FICLONE`), as C's digest store tries
 * first. Returns 0, or the errno (EOPNOTSUPP, EXDEV … mean: copy instead).
 */
export function ficlone(destFd: number, srcFd: number): number {
  return lib().ioctl_int(destFd, FICLONE, BigInt(srcFd)) === 0 ? 0 : errno();
}

/**
 * `copy_file_range(2)` of up to `len` bytes between the descriptors' own file offsets. Returns
 * the count copied (0 at end of file), or minus the errno instead of throwing, since callers
 * fall back to other copies on some errors.
 */
export function copyFileRange(inFd: number, outFd: number, len: number): number {
  for (;;) {
    const n = num(lib().copy_file_range(inFd, null, outFd, null, BigInt(len), 0));
    if (n >= 0) return n;
    const e = errno();
    if (e !== EINTR) return -e;
  }
}

/** `fsync(2)`. */
export function fsyncFd(fd: number): void {
  if (lib().fsync(fd) !== 0) fail("fsync");
}

/** `fchmod(2)`: sets the permission bits exactly (no umask). */
export function fchmodFd(fd: number, mode: number): void {
  if (lib().fchmod(fd, mode) !== 0) fail("fchmod");
}

/** `RENAME_NOREPLACE` (linux/fs.h): fail with EEXIST rather than replace the target. */
export const RENAME_NOREPLACE = 1;

/**
 * `renameat2(2)` with `flags`, or `renameat(2)` when `flags` is 0. Throws {@link SysError};
 * a libc without `renameat2` gives ENOSYS.
 */
export function renameAt(
  olddirfd: number,
  oldpath: Uint8Array,
  newdirfd: number,
  newpath: Uint8Array,
  flags = 0,
): void {
  const l = lib();
  const from = cString(oldpath);
  const to = cString(newpath);
  if (flags === 0) {
    if (l.renameat(olddirfd, from, newdirfd, to) !== 0) fail("renameat");
    return;
  }
  if (l.renameat2 === null) throw new SysError(ENOSYS, "renameat2", strerror(ENOSYS));
  if (l.renameat2(olddirfd, from, newdirfd, to, flags) !== 0) fail("renameat2");
}

/**
 * Whether `path` exists (the entry itself, symlinks not followed): `faccessat(2)` with `F_OK`.
 * Never throws, so a miss costs no exception.
 */
export function existsAt(dirfd: number, path: Uint8Array): boolean {
  return lib().faccessat(dirfd, cStr(path, 0), 0, AT_SYMLINK_NOFOLLOW) === 0;
}

/** `unlinkat(2)` (flags 0: a file, not a directory). */
export function unlinkAt(dirfd: number, path: Uint8Array): void {
  if (lib().unlinkat(dirfd, cString(path), 0) !== 0) fail("unlinkat");
}

// ---------------------------------------------------------------------------------------------
// libcrypto, optional: SHA-256 for the fs-verity hasher without per-call garbage.

const CRYPTO_SYMBOLS = {
  EVP_MD_fetch: { parameters: ["pointer", "buffer", "pointer"], result: "pointer", optional: true },
  EVP_sha256: { parameters: [], result: "pointer" },
  EVP_Digest: {
    parameters: ["buffer", "usize", "buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
} as const;

/**
 * SHA-256 from the system's libcrypto (OpenSSL 3 or 1.1) through FFI, or null when there is no
 * libcrypto. It produces no garbage outside the JS heap, unlike `node:crypto` hash objects,
 * whose native state lingers until a garbage collection and made a worker's memory grow with
 * the number of blocks hashed. Returns a fresh 32-byte array per call.
 */
export function opensslSha256(): ((data: Uint8Array) => Uint8Array) | null {
  let crypto: Deno.DynamicLibrary<typeof CRYPTO_SYMBOLS>["symbols"] | undefined;
  for (const name of ["libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"]) {
    try {
      crypto = Deno.dlopen(name, CRYPTO_SYMBOLS).symbols;
      break;
    } catch {
      // Try the next name.
    }
  }
  if (crypto === undefined) return null;
  const c = crypto;
  // OpenSSL 3: fetch the implementation once; EVP_sha256() would fetch it on every call.
  const md = c.EVP_MD_fetch?.(null, cString(new TextEncoder().encode("SHA256")), null) ??
    c.EVP_sha256();
  if (md === null) return null;
  const out = new Uint8Array(32);
  return (data: Uint8Array) => {
    if (
      c.EVP_Digest(data as Uint8Array<ArrayBuffer>, BigInt(data.length), out, null, md, null) !== 1
    ) {
      throw new Error("Cannot compute SHA-256: libcrypto EVP_Digest failed");
    }
    return out.slice();
  };
}
