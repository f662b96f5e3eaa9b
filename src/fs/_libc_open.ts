/**
 * Opening libc for the FFI modules (`libc.ts` for files, `mount_ffi.ts` for mounts): once per
 * thread, on first use, with the thread's `errno` located once.
 *
 * @module
 */

/** A symbol table that includes `__errno_location`. */
export type LibcSymbols = Deno.ForeignLibraryInterface & {
  readonly __errno_location: { readonly parameters: readonly []; readonly result: "pointer" };
};

/** libc's symbols and the calling thread's errno. */
export interface LibcHandle<S extends LibcSymbols> {
  readonly symbols: Deno.DynamicLibrary<S>["symbols"];
  /** The thread's errno; read it right after the failing call. */
  errno(): number;
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
      handle = { symbols: lib, errno: () => view.getInt32(0) };
    }
    return handle;
  };
}
