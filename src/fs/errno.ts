/**
 * Linux errno numbers, their names and glibc's `strerror` texts, for errors that must read
 * exactly as the C tool prints them (`error accessing <path>: <strerror>`).
 *
 * The texts are glibc's. With FFI we ask libc itself (`strerror`); this table is the fallback
 * for the Deno-only path and for names in messages. Numbers are the asm-generic ones that
 * x86_64 and aarch64 share.
 *
 * @module
 */

/** One errno: number, name and glibc text. */
interface ErrnoInfo {
  readonly name: string;
  readonly text: string;
}

const TABLE: Readonly<Record<number, ErrnoInfo>> = {
  1: { name: "EPERM", text: "Operation not permitted" },
  2: { name: "ENOENT", text: "No such file or directory" },
  4: { name: "EINTR", text: "Interrupted system call" },
  5: { name: "EIO", text: "Input/output error" },
  6: { name: "ENXIO", text: "No such device or address" },
  9: { name: "EBADF", text: "Bad file descriptor" },
  11: { name: "EAGAIN", text: "Resource temporarily unavailable" },
  12: { name: "ENOMEM", text: "Cannot allocate memory" },
  13: { name: "EACCES", text: "Permission denied" },
  14: { name: "EFAULT", text: "Bad address" },
  16: { name: "EBUSY", text: "Device or resource busy" },
  17: { name: "EEXIST", text: "File exists" },
  18: { name: "EXDEV", text: "Invalid cross-device link" },
  19: { name: "ENODEV", text: "No such device" },
  20: { name: "ENOTDIR", text: "Not a directory" },
  21: { name: "EISDIR", text: "Is a directory" },
  22: { name: "EINVAL", text: "Invalid argument" },
  23: { name: "ENFILE", text: "Too many open files in system" },
  24: { name: "EMFILE", text: "Too many open files" },
  25: { name: "ENOTTY", text: "Inappropriate ioctl for device" },
  26: { name: "ETXTBSY", text: "Text file busy" },
  27: { name: "EFBIG", text: "File too large" },
  28: { name: "ENOSPC", text: "No space left on device" },
  30: { name: "EROFS", text: "Read-only file system" },
  31: { name: "EMLINK", text: "Too many links" },
  34: { name: "ERANGE", text: "Numerical result out of range" },
  36: { name: "ENAMETOOLONG", text: "File name too long" },
  38: { name: "ENOSYS", text: "Function not implemented" },
  39: { name: "ENOTEMPTY", text: "Directory not empty" },
  40: { name: "ELOOP", text: "Too many levels of symbolic links" },
  61: { name: "ENODATA", text: "No data available" },
  75: { name: "EOVERFLOW", text: "Value too large for defined data type" },
  84: { name: "EILSEQ", text: "Invalid or incomplete multibyte or wide character" },
  95: { name: "EOPNOTSUPP", text: "Operation not supported" },
  116: { name: "ESTALE", text: "Stale file handle" },
  117: { name: "EUCLEAN", text: "Structure needs cleaning" },
  121: { name: "EREMOTEIO", text: "Remote I/O error" },
};

/** `EPERM` (asm-generic/errno-base.h). */
export const EPERM = 1;
/** `ENOENT` (asm-generic/errno-base.h). */
export const ENOENT = 2;
/** `EBADF` (asm-generic/errno-base.h). */
export const EBADF = 9;
/** `EEXIST` (asm-generic/errno-base.h). */
export const EEXIST = 17;
/** `EXDEV` (asm-generic/errno-base.h). */
export const EXDEV = 18;
/** `ENOTDIR` (asm-generic/errno-base.h). */
export const ENOTDIR = 20;
/** `ENOSPC` (asm-generic/errno-base.h). */
export const ENOSPC = 28;
/** `ENOSYS` (asm-generic/errno.h). */
export const ENOSYS = 38;
/** `EINTR` (asm-generic/errno-base.h). */
export const EINTR = 4;
/** `EINVAL` (asm-generic/errno-base.h). */
export const EINVAL = 22;
/** `ENOTTY` (asm-generic/errno-base.h). */
export const ENOTTY = 25;
/** `ERANGE` (asm-generic/errno-base.h). */
export const ERANGE = 34;
/** `ENAMETOOLONG` (asm-generic/errno.h). */
export const ENAMETOOLONG = 36;
/** `ELOOP` (asm-generic/errno.h). */
export const ELOOP = 40;
/** `ENODATA` (asm-generic/errno.h). */
export const ENODATA = 61;
/** `EOPNOTSUPP` (asm-generic/errno.h). */
export const EOPNOTSUPP = 95;

/** The symbolic name of an errno (`"ENOENT"`), or `"E<n>"` when we do not know it. */
export function errnoName(errno: number): string {
  return TABLE[errno]?.name ?? `E${errno}`;
}

/** The errno number of a symbolic name, or undefined. */
export function errnoOfName(name: string): number | undefined {
  for (const [n, info] of Object.entries(TABLE)) if (info.name === name) return Number(n);
  return undefined;
}

/** glibc's `strerror` text for an errno from the table, or `Unknown error <n>` as glibc says. */
export function strerrorText(errno: number): string {
  return TABLE[errno]?.text ?? `Unknown error ${errno}`;
}

/**
 * A failed system call: `message` is the `strerror` text alone, so callers can build C's
 * `<context>: <strerror>` lines; `code` is the errno name.
 */
export class SysError extends Error {
  /** The errno number. */
  readonly errno: number;
  /** The errno name, e.g. `"ENOENT"`. */
  readonly code: string;
  /** The failing call, for debugging (`"statx"`, `"openat"` …). */
  readonly syscall: string;

  constructor(errno: number, syscall: string, text: string = strerrorText(errno)) {
    super(text);
    this.name = "SysError";
    this.errno = errno;
    this.code = errnoName(errno);
    this.syscall = syscall;
  }
}
