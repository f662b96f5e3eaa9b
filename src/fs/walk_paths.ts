/**
 * The paths and error lines of the directory walk, built the way C mkcomposefs builds them:
 * `maybe_join_path` for the `error accessing <path>` messages and `join_paths` for the paths
 * files are opened by to hash them.
 *
 * @module
 */
import { ComposefsLimitError, STRERROR } from "../../spec/tree/errors.ts";
import type { Node } from "../../spec/tree/node.ts";
import { SysError } from "./errno.ts";

/**
 * A failure while reading the source. `message` is exactly what C prints after
 * `mkcomposefs: ` (`error accessing <path>: <strerror>`, `error computing digest: <strerror>`);
 * `path` holds the raw bytes of the path involved, when there is one.
 */
export class ScanError extends Error {
  /** The errno name (`"ENOENT"`), or `"EFFI"` when FFI would be needed. */
  readonly code: string;
  /** The path as bytes (the message shows it decoded, lossily for non-UTF-8 names). */
  readonly path: Uint8Array | null;

  constructor(code: string, message: string, path: Uint8Array | null) {
    super(message);
    this.name = "ScanError";
    this.code = code;
    this.path = path;
  }
}

const SLASH = 0x2f;
const decoder = new TextDecoder();

/** C's `maybe_join_path`: `a/b`, without doubling a trailing `/` of `a`. */
export function joinErrorPath(a: Uint8Array, b: Uint8Array): Uint8Array {
  const slash = a.length > 0 && a[a.length - 1] !== SLASH ? 1 : 0;
  const out = new Uint8Array(a.length + slash + b.length);
  out.set(a);
  if (slash) out[a.length] = SLASH;
  out.set(b, a.length + slash);
  return out;
}

/** `a/b` for a base without trailing slashes (C's `join_paths` after its strip). */
export function joinPath(base: Uint8Array, name: Uint8Array): Uint8Array {
  const out = new Uint8Array(base.length + 1 + name.length);
  out.set(base);
  out[base.length] = SLASH;
  out.set(name, base.length + 1);
  return out;
}

/** C's `join_paths` base: the source with its trailing slashes removed. */
export function stripTrailingSlashes(p: Uint8Array): Uint8Array {
  let n = p.length;
  while (n > 0 && p[n - 1] === SLASH) n--;
  return p.subarray(0, n);
}

/** The `error accessing <path>: <reason>` error for any failure at `path`. */
export function accessError(path: Uint8Array, e: unknown): ScanError {
  let code: string;
  let text: string;
  if (e instanceof SysError) {
    code = e.code;
    text = e.message;
  } else if (e instanceof ComposefsLimitError) {
    code = e.code;
    text = STRERROR[e.code];
  } else {
    throw e;
  }
  return new ScanError(code, `error accessing ${decoder.decode(path)}: ${text}`, path);
}

/** Runs `f`; any file-system or limit error becomes C's message for `path`. */
export function at<T>(path: Uint8Array, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw accessError(path, e);
  }
}

/** Pre-order walk with sorted children: the order of C's `construct_compute_data`. */
export function forEachDfs(root: Node, f: (node: Node) => void): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    f(node);
    const kids = node.children;
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
}
