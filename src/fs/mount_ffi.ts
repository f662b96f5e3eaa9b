/**
 * The libc calls that mount a composefs image: the new mount API (`fsopen`, `fsconfig`,
 * `fsmount`, `move_mount`, `mount_setattr`) through `syscall(2)`, the legacy `mount(2)` and
 * `umount2(2)`, and the `ioctl(2)`s for loop devices, fs-verity and namespaces.
 *
 * This module has its own `Deno.dlopen` of libc, apart from `libc.ts`: these are privileged
 * calls that change the mount table, a different concern from reading files, and only
 * `mount.composefs` needs them, so the image tools never load them. Wrappers take paths as
 * strings (mount options and `argv` are text), throw {@link SysError} with glibc's `strerror`
 * text, and never leave a descriptor open on failure.
 *
 * The syscall numbers of the new mount API are the same on every architecture (they were added
 * after the tables were unified), so one table serves x86_64 and aarch64.
 *
 * @module
 */
import type { SysError } from "./errno.ts";
import {
  decodeFsverityDigest,
  FS_IOC_MEASURE_VERITY,
  fsverityDigestArg,
  type VerityMeasurement,
} from "./verity_ioctl.ts";

export type { VerityMeasurement };
import { AT_EMPTY_PATH, AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_PATH, O_RDONLY } from "./fcntl.ts";
import { lazyLibc } from "./_libc_open.ts";

/** `__NR_open_tree` (asm-generic/unistd.h; same on all architectures). */
export const NR_OPEN_TREE = 428;
/** `__NR_move_mount`. */
export const NR_MOVE_MOUNT = 429;
/** `__NR_fsopen`. */
export const NR_FSOPEN = 430;
/** `__NR_fsconfig`. */
export const NR_FSCONFIG = 431;
/** `__NR_fsmount`. */
export const NR_FSMOUNT = 432;
/** `__NR_mount_setattr`. */
export const NR_MOUNT_SETATTR = 442;

/** `FSOPEN_CLOEXEC` (linux/mount.h). */
export const FSOPEN_CLOEXEC = 0x1;
/** `FSMOUNT_CLOEXEC` (linux/mount.h). */
export const FSMOUNT_CLOEXEC = 0x1;
/** `FSCONFIG_SET_FLAG` (linux/mount.h `enum fsconfig_command`). */
export const FSCONFIG_SET_FLAG = 0;
/** `FSCONFIG_SET_STRING`. */
export const FSCONFIG_SET_STRING = 1;
/** `FSCONFIG_CMD_CREATE`. */
export const FSCONFIG_CMD_CREATE = 6;
/** `MOVE_MOUNT_F_EMPTY_PATH` (linux/mount.h). */
export const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
/** `MOUNT_ATTR_RDONLY` (linux/mount.h). */
export const MOUNT_ATTR_RDONLY = 0x1;
/** `MOUNT_ATTR_IDMAP` (linux/mount.h). */
export const MOUNT_ATTR_IDMAP = 0x100000;
/** `MOUNT_ATTR_SIZE_VER0`: `sizeof(struct mount_attr)` (linux/mount.h). */
const MOUNT_ATTR_SIZE_VER0 = 32;
/** `MS_RDONLY` (linux/mount.h). */
export const MS_RDONLY = 1;
/** `MS_SILENT` (linux/mount.h). */
export const MS_SILENT = 32768;
/** `MNT_DETACH` (linux/fs.h). */
export const MNT_DETACH = 2;
export {
  AT_EMPTY_PATH,
  AT_FDCWD,
  O_CLOEXEC,
  O_DIRECTORY,
  O_NOCTTY,
  O_PATH,
  O_RDONLY,
  O_RDWR,
} from "./fcntl.ts";

/** `LOOP_CTL_GET_FREE` (linux/loop.h). */
export const LOOP_CTL_GET_FREE = 0x4c82n;
/** `LOOP_CONFIGURE` (linux/loop.h, Linux 5.8). */
export const LOOP_CONFIGURE = 0x4c0an;
/** `LOOP_CLR_FD` (linux/loop.h). */
export const LOOP_CLR_FD = 0x4c01n;
/** `LO_FLAGS_READ_ONLY`, `LO_FLAGS_AUTOCLEAR`, `LO_FLAGS_DIRECT_IO` (linux/loop.h). */
export const LO_FLAGS_READ_ONLY = 1;
export const LO_FLAGS_AUTOCLEAR = 4;
export const LO_FLAGS_DIRECT_IO = 16;
/** `LO_NAME_SIZE` (linux/loop.h). */
const LO_NAME_SIZE = 64;
/** `sizeof(struct loop_config)`: fd, block_size, `struct loop_info64` (232), 8 reserved u64. */
const LOOP_CONFIG_SIZE = 304;
/** Offsets in `struct loop_config`: `info` starts at 8; `lo_flags` and `lo_file_name` in it. */
const LOOP_CONFIG_FIELDS = { fd: 0, blockSize: 4, loFlags: 8 + 52, loFileName: 8 + 56 } as const;

/** `NS_GET_NSTYPE` = `_IO(0xb7, 0x3)` (linux/nsfs.h). */
export const NS_GET_NSTYPE = 0xb703n;
/** `CLONE_NEWUSER` (linux/sched.h): what `NS_GET_NSTYPE` returns for a user namespace. */
export const CLONE_NEWUSER = 0x10000000;

const SYMBOLS = {
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  pread: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  mount: { parameters: ["buffer", "buffer", "buffer", "u64", "buffer"], result: "i32" },
  umount2: { parameters: ["buffer", "i32"], result: "i32" },
  ioctlPtr: { name: "ioctl", parameters: ["i32", "u64", "buffer"], result: "i32" },
  ioctlInt: { name: "ioctl", parameters: ["i32", "u64", "u64"], result: "i32" },
  // syscall(2) is variadic and reads `long`s: every argument is passed 64 bits wide so that
  // negative descriptors (AT_FDCWD) arrive sign-extended.
  syscall4: { name: "syscall", parameters: ["i64", "i64", "i64", "i64"], result: "i64" },
  syscallP2: { name: "syscall", parameters: ["i64", "buffer", "i64"], result: "i64" },
  syscallFsconfig: {
    name: "syscall",
    parameters: ["i64", "i64", "i64", "buffer", "buffer", "i64"],
    result: "i64",
  },
  syscallMoveMount: {
    name: "syscall",
    parameters: ["i64", "i64", "buffer", "i64", "buffer", "i64"],
    result: "i64",
  },
  syscallSetattr: {
    name: "syscall",
    parameters: ["i64", "i64", "buffer", "i64", "buffer", "i64"],
    result: "i64",
  },
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

/** glibc's `strerror` text for `errnum`. */
export function strerror(errnum: number): string {
  return libcHandle().strerror(errnum);
}

function fail(syscall: string): never {
  return libcHandle().fail(syscall);
}

const encoder = new TextEncoder();

/** `text` as a NUL-terminated C string. */
function cstr(text: string): Uint8Array<ArrayBuffer> {
  const bytes = encoder.encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

const EMPTY = cstr("");

/** A syscall argument as the 64-bit `long` that `syscall(2)` reads. */
const L = BigInt;

function checked(r: number | bigint, syscall: string): number {
  const n = Number(r);
  if (n < 0) fail(syscall);
  return n;
}

/** `open(2)` of `path`; `O_CLOEXEC` is always added. Returns the descriptor. */
export function openPath(path: string, flags: number = O_RDONLY): number {
  return checked(lib().open(cstr(path), flags | O_CLOEXEC, 0), "open");
}

/**
 * Checks that `path` is a directory we can reach (`open(O_PATH | O_DIRECTORY)`); throws
 * {@link SysError} (`ENOENT`, `ENOTDIR`, `EACCES` …) otherwise.
 */
export function assertDirectoryPath(path: string): void {
  closeFd(openPath(path, O_PATH | O_DIRECTORY));
}

/** `close(2)`; errors are ignored, as C's cleanup handlers do. */
export function closeFd(fd: number): void {
  if (fd >= 0) lib().close(fd);
}

/** `pread(2)` into `buf` at `offset`; returns the count read (short at end of file). */
export function preadFd(fd: number, buf: Uint8Array<ArrayBuffer>, offset: number): number {
  return checked(lib().pread(fd, buf, BigInt(buf.length), BigInt(offset)), "pread");
}

/** `fsopen(2)`: a new file system context for `fsName`. Returns its descriptor. */
export function fsopen(fsName: string, flags: number = FSOPEN_CLOEXEC): number {
  return checked(lib().syscallP2(L(NR_FSOPEN), cstr(fsName), L(flags)), "fsopen");
}

function fsconfig(fd: number, cmd: number, key: string | null, value: string | null): void {
  const k = key === null ? null : cstr(key);
  const v = value === null ? null : cstr(value);
  const r = lib().syscallFsconfig(L(NR_FSCONFIG), L(fd), L(cmd), k, v, 0n);
  checked(r, key === null ? "fsconfig" : `fsconfig(${key})`);
}

/** `fsconfig(fd, FSCONFIG_SET_STRING, key, value, 0)`. */
export function fsconfigSetString(fd: number, key: string, value: string): void {
  fsconfig(fd, FSCONFIG_SET_STRING, key, value);
}

/** `fsconfig(fd, FSCONFIG_SET_FLAG, key, NULL, 0)`. */
export function fsconfigSetFlag(fd: number, key: string): void {
  fsconfig(fd, FSCONFIG_SET_FLAG, key, null);
}

/** `fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0)`: creates the superblock. */
export function fsconfigCreate(fd: number): void {
  fsconfig(fd, FSCONFIG_CMD_CREATE, null, null);
}

/** `fsmount(2)`: a detached mount of the context's superblock. Returns its descriptor. */
export function fsmount(fd: number, flags: number, attrFlags: number): number {
  return checked(lib().syscall4(L(NR_FSMOUNT), L(fd), L(flags), L(attrFlags)), "fsmount");
}

/** `move_mount(2)` of the detached mount `fromFd` onto `toPath`. */
export function moveMountTo(fromFd: number, toPath: string): void {
  const r = lib().syscallMoveMount(
    L(NR_MOVE_MOUNT),
    L(fromFd),
    EMPTY,
    L(AT_FDCWD),
    cstr(toPath),
    L(MOVE_MOUNT_F_EMPTY_PATH),
  );
  checked(r, "move_mount");
}

/** `mount_setattr(2)` on the mount `fd` itself: makes it idmapped with the user namespace. */
export function mountSetattrIdmap(fd: number, usernsFd: number): void {
  // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }
  const attr = new Uint8Array(MOUNT_ATTR_SIZE_VER0);
  const v = new DataView(attr.buffer);
  v.setBigUint64(0, BigInt(MOUNT_ATTR_IDMAP), true);
  v.setBigUint64(24, BigInt(usernsFd), true);
  const r = lib().syscallSetattr(
    L(NR_MOUNT_SETATTR),
    L(fd),
    EMPTY,
    L(AT_EMPTY_PATH),
    attr,
    L(attr.length),
  );
  checked(r, "mount_setattr");
}

/** The legacy `mount(2)`; `data` null passes no options. */
export function mountLegacy(
  source: string,
  target: string,
  fstype: string,
  flags: number,
  data: string | null,
): void {
  const d = data === null ? null : cstr(data);
  const r = lib().mount(cstr(source), cstr(target), cstr(fstype), BigInt(flags), d);
  checked(r, "mount");
}

/** `umount2(2)`. */
export function umount2(target: string, flags: number): void {
  checked(lib().umount2(cstr(target), flags), "umount2");
}

/**
 * Reads and empties the message log of a file system context (`read(2)` on an `fsopen`
 * descriptor): the kernel's own words for why `fsconfig` failed, e.g.
 * `"e overlay: failed to resolve '/x': -2"`. Returns the messages, oldest first.
 */
export function readFsContextLog(fd: number): string[] {
  const out: string[] = [];
  const buf = new Uint8Array(1024);
  // The log holds at most 8 messages; each read returns one, and ENODATA when it is empty.
  for (let i = 0; i < 16; i++) {
    const n = Number(lib().read(fd, buf, BigInt(buf.length)));
    if (n <= 0) break;
    out.push(new TextDecoder().decode(buf.subarray(0, n)).trimEnd());
  }
  return out;
}

/** `ioctl(fd, LOOP_CTL_GET_FREE)` on `/dev/loop-control`: the number of a free loop device. */
export function loopCtlGetFree(ctlFd: number): number {
  return checked(lib().ioctlInt(ctlFd, LOOP_CTL_GET_FREE, 0n), "ioctl(LOOP_CTL_GET_FREE)");
}

/** What `LOOP_CONFIGURE` sets up. */
export interface LoopConfig {
  /** The backing file's descriptor. */
  fd: number;
  /** Logical block size, 0 for the default. */
  blockSize: number;
  /** `LO_FLAGS_*`. */
  flags: number;
  /** `lo_file_name`, shown by `losetup` (cut to 63 bytes). */
  fileName: string;
}

/** `ioctl(loopFd, LOOP_CONFIGURE, &config)` (Linux 5.8): binds and configures in one step. */
export function loopConfigure(loopFd: number, config: LoopConfig): void {
  const c = new Uint8Array(LOOP_CONFIG_SIZE);
  const v = new DataView(c.buffer);
  const f = LOOP_CONFIG_FIELDS;
  v.setUint32(f.fd, config.fd, true);
  v.setUint32(f.blockSize, config.blockSize, true);
  v.setUint32(f.loFlags, config.flags, true);
  c.set(encoder.encode(config.fileName).subarray(0, LO_NAME_SIZE - 1), f.loFileName);
  checked(lib().ioctlPtr(loopFd, LOOP_CONFIGURE, c), "ioctl(LOOP_CONFIGURE)");
}

/** `ioctl(loopFd, LOOP_CLR_FD)`: unbinds the backing file (at last close if still open). */
export function loopClrFd(loopFd: number): void {
  checked(lib().ioctlInt(loopFd, LOOP_CLR_FD, 0n), "ioctl(LOOP_CLR_FD)");
}

/**
 * `ioctl(fd, FS_IOC_MEASURE_VERITY)`. Throws {@link SysError}: `ENODATA` when the file has no
 * fs-verity, `EOPNOTSUPP` or `ENOTTY` when the file system or kernel has none.
 */
export function measureVerity(fd: number): VerityMeasurement {
  const d = fsverityDigestArg();
  checked(lib().ioctlPtr(fd, FS_IOC_MEASURE_VERITY, d), "ioctl(FS_IOC_MEASURE_VERITY)");
  return decodeFsverityDigest(d);
}

/** `ioctl(fd, NS_GET_NSTYPE)`: the `CLONE_NEW*` type of a namespace file. */
export function nsGetType(fd: number): number {
  return checked(lib().ioctlInt(fd, NS_GET_NSTYPE, 0n), "ioctl(NS_GET_NSTYPE)");
}
