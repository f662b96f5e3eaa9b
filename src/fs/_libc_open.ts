/**
 * Opening libc for the FFI modules (`libc.ts` for files, `mount_ffi.ts` for mounts): once per
 * thread, on first use, with the thread's `errno` located once.
 *
 * @module
 */

import { SysError } from "./errno.ts";

/** A symbol table that includes `__errno_location` and `strerror`. */
export type LibcSymbols = Deno.ForeignLibraryInterface & {
  readonly __errno_location: { readonly parameters: readonly []; readonly result: "pointer" };
  readonly strerror: { readonly parameters: readonly ["i32"]; readonly result: "pointer" };
};

/** libc's symbols, the calling thread's errno, and glibc's texts for errors. */
export interface LibcHandle<S extends LibcSymbols> {
  readonly symbols: Deno.DynamicLibrary<S>["symbols"];
  /** The thread's errno; read it right after the failing call. */
  errno(): number;
  /** glibc's `strerror` text for `errnum` (it knows every errno, `ENOTBLK` included). */
  strerror(errnum: number): string;
  /** Throws {@link SysError} for the errno that `syscall` just set. */
  fail(syscall: string): never;
}

/** Returns a function that opens libc with `symbols` on its first call and reuses it after. */
export function lazyLibc<const S extends LibcSymbols>(symbols: S): () => LibcHandle<S> {
  let handle: LibcHandle<S> | undefined;
  return () => {
    if (handle === undefined) {
      const lib = Deno.dlopen("libc.so.6", symbols).symbols;
      const p = (lib.__errno_location as () => Deno.PointerValue)();
      if (p === null) throw new Error("Cannot locate errno in libc");
      const view = new Deno.UnsafePointerView(p);
      const errno = () => view.getInt32(0);
      const strerror = (errnum: number) => {
        const t = (lib.strerror as (e: number) => Deno.PointerValue)(errnum);
        return t === null ? `Unknown error ${errnum}` : Deno.UnsafePointerView.getCString(t);
      };
      handle = {
        symbols: lib,
        errno,
        strerror,
        fail: (syscall) => {
          const e = errno();
          throw new SysError(e, syscall, strerror(e));
        },
      };
    }
    return handle;
  };
}
