/**
 * The error raised for composefs-dump(5) text that C mkcomposefs 1.0.8 rejects (or that it
 * accepts but turns into undefined bytes, which we reject).
 *
 * @module
 */

/**
 * Stable codes of {@link DumpSyntaxError}, one per C message (plus our own `EINVALDIGEST`).
 * Branch on these, not on the text.
 *
 * | code | C message (`reason`) |
 * |------|----------------------|
 * | `EEMBEDDEDNUL` | `Invalid embedded NUL character at position N` |
 * | `EESCAPEEND` | `No character after escape` |
 * | `EESCAPETYPE` | `Unsupported escape type C` |
 * | `EHEXMISSING` | `No hex characters after hex escape` |
 * | `EHEXINVALID` | `Invalid hex characters after hex escape` |
 * | `EEMPTYPATH` | `Invalid empty path` |
 * | `EINVALINT` | `Invalid integer FIELD` |
 * | `EINVALMODE` | `Invalid mode OCTAL` |
 * | `EROOTNOTDIR` | `Root must be a directory` |
 * | `EMULTIROOT` | `Can't have multiple roots` |
 * | `ENOROOT` | `Root node not present` |
 * | `ENOPARENT` | `Parent directory missing for PATH` |
 * | `EPARENTNOTDIR` | `Parent must be a directory for PATH` |
 * | `EDOTNAME` | `Invalid . or .. in path: PATH` |
 * | `EADDCHILD` | `Can't add child` (empty, too long or duplicate name) |
 * | `EDIRHARDLINK` | `Directories can't be hardlinked` |
 * | `ECONTENTSIZE` | `Invalid content size N, must match size M` |
 * | `EDEVNUM` | `Non-zero devnum on non-device` (strict) |
 * | `ESYMLINK` | `Invalid symlink` |
 * | `ESYMLINKSIZE` | `Invalid symlink size N, must match size M` (strict) |
 * | `ESYMLINKCONTENT` | `Symlink cannot have content` (strict) |
 * | `EPAYLOAD` | `Invalid payload` |
 * | `EINLINESIZE` | `Inline content size N exceeds maximum 5000` |
 * | `EINVALDIGEST` | ours: `Invalid digest D, must be 64 hex digits` (C writes undefined bytes) |
 * | `ETOOMANYXATTRS` | `Too many xattrs` |
 * | `EXATTRNOEQ` | `Missing = in xattr` |
 * | `ESETXATTR` | `Can't set xattr` |
 * | `ENOTARGET` | `No target path for the hardlink` |
 * | `ETARGETMISSING` | `No target at PATH for hardlink` |
 * | `ESELFLINK` | `Self-referential hardlink PATH` |
 * | `ENOFILES` | `No files in dump file` |
 * | `ENONEWLINE` | `Missing trailing newline` (strict) |
 */
export type DumpErrorCode =
  | "EEMBEDDEDNUL"
  | "EESCAPEEND"
  | "EESCAPETYPE"
  | "EHEXMISSING"
  | "EHEXINVALID"
  | "EEMPTYPATH"
  | "EINVALINT"
  | "EINVALMODE"
  | "EROOTNOTDIR"
  | "EMULTIROOT"
  | "ENOROOT"
  | "ENOPARENT"
  | "EPARENTNOTDIR"
  | "EDOTNAME"
  | "EADDCHILD"
  | "EDIRHARDLINK"
  | "ECONTENTSIZE"
  | "EDEVNUM"
  | "ESYMLINK"
  | "ESYMLINKSIZE"
  | "ESYMLINKCONTENT"
  | "EPAYLOAD"
  | "EINLINESIZE"
  | "EINVALDIGEST"
  | "ETOOMANYXATTRS"
  | "EXATTRNOEQ"
  | "ESETXATTR"
  | "ENOTARGET"
  | "ETARGETMISSING"
  | "ESELFLINK"
  | "ENOFILES"
  | "ENONEWLINE";

/**
 * A dump line C mkcomposefs 1.0.8 rejects.
 *
 * `reason` is exactly C's message, as a *byte string*: each char is one byte (latin-1), because
 * paths and fields inside it are raw bytes, as C prints them. Use {@link DumpSyntaxError.reasonBytes}
 * to print C's exact bytes (`mkcomposefs: ` + reason). `message` is for people:
 * `line 3: Invalid mode 644 (/foo)`, with bytes shown as UTF-8.
 *
 * @example Branch on the code
 * ```ts
 * import assert from "node:assert/strict";
 * import { DumpSyntaxError } from "./errors.ts";
 * const e = new DumpSyntaxError("EINVALMODE", "Invalid mode 644", 3, new TextEncoder().encode("/foo"));
 * assert.equal(e.message, "line 3: Invalid mode 644 (/foo)");
 * assert.equal(e.code, "EINVALMODE");
 * ```
 */
export class DumpSyntaxError extends SyntaxError {
  /** Stable code, see {@link DumpErrorCode}. */
  readonly code: DumpErrorCode;
  /** 1-based line of the input; 0 when the error is not about one line. */
  readonly line: number;
  /** The unescaped PATH of the line, when it was known. */
  readonly path: Uint8Array | null;
  /** C's message text, one char per byte. */
  readonly reason: string;

  /**
   * Creates the error; the message reads `Cannot parse dump line N (PATH): REASON`.
   *
   * @param code stable code
   * @param reason C's message, one char per byte
   * @param line 1-based line number, 0 for none
   * @param path the line's unescaped path, if known
   */
  constructor(code: DumpErrorCode, reason: string, line = 0, path: Uint8Array | null = null) {
    super(describe(reason, line, path));
    this.name = "DumpSyntaxError";
    this.code = code;
    this.line = line;
    this.path = path;
    this.reason = reason;
  }

  /** `reason` as the bytes C prints. */
  get reasonBytes(): Uint8Array {
    return latin1Bytes(this.reason);
  }

  /** The same error, located at `line` (and `path`); used when a field helper threw it. */
  at(line: number, path: Uint8Array | null): DumpSyntaxError {
    return new DumpSyntaxError(this.code, this.reason, line, path);
  }
}

/** Bytes as a string with one char per byte (lossless; for C-style messages). */
export function latin1String(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return s;
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const utf8 = new TextDecoder();

function describe(reason: string, line: number, path: Uint8Array | null): string {
  const text = utf8.decode(latin1Bytes(reason));
  const where = line > 0 ? `line ${line}: ` : "";
  // Several reasons already end with the path; do not repeat it.
  const suffix = path !== null && !reason.endsWith(latin1String(path))
    ? ` (${utf8.decode(path)})`
    : "";
  return where + text + suffix;
}
