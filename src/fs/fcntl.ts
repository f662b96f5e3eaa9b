/**
 * The open(2)/`*at` flag values the FFI modules share (linux/fcntl.h, asm-generic/fcntl.h).
 * Importable outside Deno: the arm64 check is guarded, as mod.ts re-exports the mount API.
 *
 * @module
 */

/** `AT_FDCWD` (linux/fcntl.h). */
export const AT_FDCWD = -100;
/** `AT_SYMLINK_NOFOLLOW` (linux/fcntl.h). */
export const AT_SYMLINK_NOFOLLOW = 0x100;
/** `AT_EMPTY_PATH` (linux/fcntl.h): with an empty path, act on the descriptor itself. */
export const AT_EMPTY_PATH = 0x1000;
/** `O_RDONLY` (asm-generic/fcntl.h). */
export const O_RDONLY = 0;
/** `O_WRONLY` (asm-generic/fcntl.h). */
export const O_WRONLY = 1;
/** `O_RDWR` (asm-generic/fcntl.h). */
export const O_RDWR = 2;
/** `O_CREAT` (asm-generic/fcntl.h). */
export const O_CREAT = 0o100;
/** `O_EXCL` (asm-generic/fcntl.h). */
export const O_EXCL = 0o200;
/** `O_TRUNC` (asm-generic/fcntl.h). */
export const O_TRUNC = 0o1000;
/** `O_CLOEXEC` (asm-generic/fcntl.h). */
export const O_CLOEXEC = 0o2000000;
/** `O_PATH` (asm-generic/fcntl.h). */
export const O_PATH = 0o10000000;

const ARM = typeof Deno !== "undefined" && Deno.build.arch === "aarch64";
/** `O_DIRECTORY`: arm64 has its own value (arch/arm64/include/uapi/asm/fcntl.h). */
export const O_DIRECTORY = ARM ? 0o40000 : 0o200000;
/** `O_NOFOLLOW`: arm64 has its own value (arch/arm64/include/uapi/asm/fcntl.h). */
export const O_NOFOLLOW = ARM ? 0o100000 : 0o400000;
/** `O_NOCTTY` (asm-generic/fcntl.h). */
export const O_NOCTTY = 0o400;
