/**
 * Malformed and quirky dump lines shared by the parser tests and the differential test against
 * C mkcomposefs. Dumps are written as strings whose char codes are the bytes (latin-1).
 *
 * @module
 */
import type { DumpErrorCode } from "./errors.ts";

/** A dump C rejects while parsing, with its message. */
export interface ErrorCase {
  name: string;
  dump: string;
  strict?: boolean;
  code: DumpErrorCode;
  reason: string;
  /** 1-based line of the error (default: the last line). */
  line?: number;
}

/** A dump C parses; `cWriterError` is the writer-time failure C then reports, if any. */
export interface AcceptCase {
  name: string;
  dump: string;
  strict?: boolean;
  cWriterError?: string;
}

/** Bytes of a latin-1 test string. */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A root line. */
export const R = "/ 0 40755 2 0 0 0 0.0 - - -\n";
/** A regular empty file line at `path`, with `rest` appended (xattrs). */
export const file = (path: string, rest = "") => `${path} 0 100644 1 0 0 0 0.0 - - -${rest}\n`;

const long = (n: number, c = "a") => c.repeat(n);

/** Every error of §1, each once (and a few orderings). */
// deno-fmt-ignore
export const ERROR_CASES: ErrorCase[] = [
  // §1.1 lines
  { name: "NUL in a line", dump: R + "/a 0 100644 1 0 0 0 0.0 - - -\0\n", code: "EEMBEDDEDNUL", reason: "Invalid embedded NUL character at position 29" },
  { name: "NUL in the first line", dump: "/ 0 4\x000755 2 0 0 0 0.0 - - -\n", code: "EEMBEDDEDNUL", reason: "Invalid embedded NUL character at position 5" },
  { name: "empty line", dump: R + "\n" + file("/a"), code: "EEMPTYPATH", reason: "Invalid empty path", line: 2 },
  { name: "leading LF", dump: "\n" + R, code: "EEMPTYPATH", reason: "Invalid empty path", line: 1 },
  { name: "empty input", dump: "", code: "ENOFILES", reason: "No files in dump file", line: 0 },
  { name: "strict: no final LF", dump: R + "/a 0 100644 1 0 0 0 0.0 - - -", strict: true, code: "ENONEWLINE", reason: "Missing trailing newline" },
  { name: "strict: earlier errors first", dump: R + "/a 0 644 1 0 0 0 0.0 - - -\n/b", strict: true, code: "EINVALMODE", reason: "Invalid mode 644", line: 2 },
  // §1.3 escapes, in every escaped field
  { name: "escape at end of PATH", dump: R + file("/a\\"), code: "EESCAPEEND", reason: "No character after escape" },
  { name: "unknown escape in PATH", dump: R + file("/a\\q"), code: "EESCAPETYPE", reason: "Unsupported escape type q" },
  { name: "\\x with one char", dump: R + file("/a\\x4"), code: "EHEXMISSING", reason: "No hex characters after hex escape" },
  { name: "\\x at end", dump: R + file("/a\\x"), code: "EHEXMISSING", reason: "No hex characters after hex escape" },
  { name: "\\x with non-hex", dump: R + file("/a\\xg1"), code: "EHEXINVALID", reason: "Invalid hex characters after hex escape" },
  { name: "\\x with one non-hex", dump: R + file("/a\\x1g"), code: "EHEXINVALID", reason: "Invalid hex characters after hex escape" },
  { name: "unknown escape in PAYLOAD", dump: R + "/a 0 100644 1 0 0 0 0.0 \\a - -\n", code: "EESCAPETYPE", reason: "Unsupported escape type a" },
  { name: "bad escape in CONTENT", dump: R + "/a 1 100644 1 0 0 0 0.0 - \\ -\n", code: "EESCAPEEND", reason: "No character after escape" },
  { name: "bad escape in DIGEST", dump: R + "/a 0 100644 1 0 0 0 0.0 - - \\xz0\n", code: "EHEXINVALID", reason: "Invalid hex characters after hex escape" },
  { name: "bad escape in xattr key", dump: R + file("/a", " a\\b=1"), code: "EESCAPETYPE", reason: "Unsupported escape type b" },
  { name: "bad escape in xattr value", dump: R + file("/a", " a=\\"), code: "EESCAPEEND", reason: "No character after escape" },
  { name: "bad escape in hardlink target", dump: R + file("/a") + "/h 0 @100644 1 0 0 0 0.0 /a\\ - -\n", code: "EESCAPEEND", reason: "No character after escape" },
  { name: "PATH escape error before MODE error", dump: R + "/a\\z 0 9 1 0 0 0 0.0 - - -\n", code: "EESCAPETYPE", reason: "Unsupported escape type z" },
  // §1.5 path and mode
  { name: "empty PATH field", dump: R + " 0 100644 1 0 0 0 0.0 - - -\n", code: "EEMPTYPATH", reason: "Invalid empty path" },
  { name: "PATH empty after NUL cut", dump: R + file("\\x00abc"), code: "EEMPTYPATH", reason: "Invalid empty path" },
  { name: "empty MODE", dump: R + "/a 0  1 0 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer " },
  { name: "MODE @ alone", dump: R + "/a 0 @ 1 0 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer " },
  { name: "MODE with 9", dump: R + "/a 0 100649 1 0 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer 100649" },
  { name: "MODE hex", dump: R + "/a 0 0x8000 1 0 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer 0x8000" },
  { name: "MODE without type", dump: R + "/a 0 644 1 0 0 0 0.0 - - -\n", code: "EINVALMODE", reason: "Invalid mode 644" },
  { name: "MODE 0", dump: R + "/a 0 0 1 0 0 0 0.0 - - -\n", code: "EINVALMODE", reason: "Invalid mode 0" },
  { name: "MODE type 0o170000", dump: R + "/a 0 170644 1 0 0 0 0.0 - - -\n", code: "EINVALMODE", reason: "Invalid mode 170644" },
  { name: "MODE -1 (u32 all ones)", dump: R + "/a 0 -1 1 0 0 0 0.0 - - -\n", code: "EINVALMODE", reason: "Invalid mode 37777777777" },
  { name: "MODE overflow clamps", dump: R + "/a 0 7777777777777777777777777 1 0 0 0 0.0 - - -\n", code: "EINVALMODE", reason: "Invalid mode 37777777777" },
  { name: "MODE error before SIZE error", dump: R + "/a x 9 1 0 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer 9" },
  // §1.6 tree insertion
  { name: "no root", dump: file("/a"), code: "ENOROOT", reason: "Root node not present", line: 1 },
  { name: "root not a directory", dump: "/ 0 100644 1 0 0 0 0.0 - - -\n", code: "EROOTNOTDIR", reason: "Root must be a directory" },
  { name: "two roots", dump: R + R, code: "EMULTIROOT", reason: "Can't have multiple roots" },
  { name: "root again after NUL cut", dump: R + "/\\x00x 0 40755 2 0 0 0 0.0 - - -\n", code: "EMULTIROOT", reason: "Can't have multiple roots" },
  { name: "missing parent", dump: R + file("/a/b"), code: "ENOPARENT", reason: "Parent directory missing for /a/b" },
  { name: "/./x", dump: R + file("/./x"), code: "ENOPARENT", reason: "Parent directory missing for /./x" },
  { name: "parent is a file", dump: R + file("/f") + file("/f/x"), code: "EPARENTNOTDIR", reason: "Parent must be a directory for /f/x" },
  { name: "parent is a file (trailing slash)", dump: R + file("/f") + file("/f/"), code: "EPARENTNOTDIR", reason: "Parent must be a directory for /f/" },
  { name: "parent missing below a file", dump: R + file("/f") + file("/f/x/y"), code: "ENOPARENT", reason: "Parent directory missing for /f/x/y" },
  { name: "name .", dump: R + file("/."), code: "EDOTNAME", reason: "Invalid . or .. in path: /." },
  { name: "name .. in a subdirectory", dump: R + "/d 0 40755 2 0 0 0 0.0 - - -\n" + file("/d/.."), code: "EDOTNAME", reason: "Invalid . or .. in path: /d/.." },
  { name: "path //", dump: R + file("//"), code: "EADDCHILD", reason: "Can't add child" },
  { name: "trailing slash", dump: R + "/d 0 40755 2 0 0 0 0.0 - - -\n" + file("/d/"), code: "EADDCHILD", reason: "Can't add child" },
  { name: "duplicate name", dump: R + file("/a") + file("/a"), code: "EADDCHILD", reason: "Can't add child" },
  { name: "duplicate via //", dump: R + file("/a") + file("//a"), code: "EADDCHILD", reason: "Can't add child" },
  { name: "name of 256 bytes", dump: R + file("/" + long(256)), code: "EADDCHILD", reason: "Can't add child" },
  { name: "tree error before SIZE error", dump: R + "/a/b x 100644 1 0 0 0 0.0 - - -\n", code: "ENOPARENT", reason: "Parent directory missing for /a/b" },
  // §1.7 hardlinks
  { name: "directory hardlink", dump: R + "/h 0 @40755 1 0 0 0 0.0 / - -\n", code: "EDIRHARDLINK", reason: "Directories can't be hardlinked" },
  { name: "hardlink root", dump: "/ 0 @40755 2 0 0 0 0.0 - - -\n", code: "EDIRHARDLINK", reason: "Directories can't be hardlinked" },
  { name: "hardlink without target", dump: R + "/h 0 @100644 1 0 0 0 0.0 - - -\n", code: "ENOTARGET", reason: "No target path for the hardlink" },
  { name: "hardlink to a missing path", dump: R + "/h 0 @100644 1 0 0 0 0.0 /nope - -\n", code: "ETARGETMISSING", reason: "No target at /nope for hardlink" },
  { name: "hardlink to itself", dump: R + "/h 0 @100644 1 0 0 0 0.0 //h - -\n", code: "ESELFLINK", reason: "Self-referential hardlink //h" },
  { name: "hardlinks resolve last first", dump: R + "/h1 0 @100644 1 0 0 0 0.0 /x - -\n/h2 0 @100644 1 0 0 0 0.0 /h2 - -\n" + file("/z"), code: "ESELFLINK", reason: "Self-referential hardlink /h2", line: 3 },
  { name: "hardlink fields are not parsed", dump: R + "/h 0 @100644 x x x x x /h - - =\n", code: "ESELFLINK", reason: "Self-referential hardlink /h" },
  { name: "hardlink target cut at NUL", dump: R + "/h 0 @100644 1 0 0 0 0.0 /q\\x00/h - -\n", code: "ETARGETMISSING", reason: "No target at /q for hardlink" },
  // §1.4 numbers
  { name: "empty SIZE", dump: R + "/a  100644 1 0 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer " },
  { name: "SIZE with a dot", dump: R + "/a 1. 100644 1 0 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer 1." },
  { name: "SIZE with trailing tab", dump: R + "/a 0\t 100644 1 0 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer 0\t" },
  { name: "SIZE sign only", dump: R + "/a - 100644 1 0 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer -" },
  { name: "SIZE whitespace only", dump: R + "/a \t 100644 1 0 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer \t" },
  { name: "bad NLINK", dump: R + "/a 0 100644 x 0 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer x" },
  { name: "bad UID", dump: R + "/a 0 100644 1 ++1 0 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer ++1" },
  { name: "bad GID with UID 0", dump: R + "/a 0 100644 1 0 g 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer g" },
  { name: "bad RDEV with UID 0", dump: R + "/a 0 100644 1 0 0 r 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer r" },
  { name: "bad GID with UID -0", dump: R + "/a 0 100644 1 -0 g 0 0.0 - - -\n", code: "EINVALINT", reason: "Invalid integer g" },
  { name: "MTIME without dot", dump: R + "/a 0 100644 1 0 0 0 5 - - -\n", code: "EINVALINT", reason: "Invalid integer " },
  { name: "MTIME .5", dump: R + "/a 0 100644 1 0 0 0 .5 - - -\n", code: "EINVALINT", reason: "Invalid integer " },
  { name: "MTIME 5.", dump: R + "/a 0 100644 1 0 0 0 5. - - -\n", code: "EINVALINT", reason: "Invalid integer " },
  { name: "MTIME 1.2.3", dump: R + "/a 0 100644 1 0 0 0 1.2.3 - - -\n", code: "EINVALINT", reason: "Invalid integer 2.3" },
  { name: "MTIME x.y", dump: R + "/a 0 100644 1 0 0 0 x.y - - -\n", code: "EINVALINT", reason: "Invalid integer x" },
  { name: "missing MTIME", dump: R + "/a 0 100644 1 0 0 0\n", code: "EINVALINT", reason: "Invalid integer " },
  // §1.5 content, payload, symlinks
  { name: "short directory line with SIZE", dump: "/ 4096 40755 2 0 0 0 0.0\n", code: "ECONTENTSIZE", reason: "Invalid content size 0, must match size 4096" },
  { name: "content longer than SIZE", dump: R + "/a 2 100644 1 0 0 0 0.0 - abc -\n", code: "ECONTENTSIZE", reason: "Invalid content size 3, must match size 2" },
  { name: "content size printed signed", dump: R + "/a -1 100644 1 0 0 0 0.0 - a -\n", code: "ECONTENTSIZE", reason: "Invalid content size 1, must match size -1" },
  { name: "content check before DIGEST escape", dump: R + "/a 2 100644 1 0 0 0 0.0 - abc \\\n", code: "ECONTENTSIZE", reason: "Invalid content size 3, must match size 2" },
  { name: "strict: devnum on a file", dump: R + "/a 0 100644 1 0 0 5 0.0 - - -\n", strict: true, code: "EDEVNUM", reason: "Non-zero devnum on non-device" },
  { name: "strict: devnum 2^32 on a fifo", dump: R + "/a 0 10644 1 0 0 4294967296 0.0 - - -\n", strict: true, code: "EDEVNUM", reason: "Non-zero devnum on non-device" },
  { name: "symlink without payload", dump: R + "/l 0 120777 1 0 0 0 0.0 - - -\n", code: "ESYMLINK", reason: "Invalid symlink" },
  { name: "symlink with empty payload", dump: R + "/l 0 120777 1 0 0 0 0.0\n", code: "ESYMLINK", reason: "Invalid symlink" },
  { name: "symlink payload empty after NUL cut", dump: R + "/l 0 120777 1 0 0 0 0.0 \\x00x - -\n", code: "ESYMLINK", reason: "Invalid symlink" },
  { name: "symlink of 4096 bytes", dump: R + `/l 4096 120777 1 0 0 0 0.0 ${long(4096)} - -\n`, code: "ESYMLINK", reason: "Invalid symlink" },
  { name: "strict: symlink size", dump: R + "/l 5 120777 1 0 0 0 0.0 a - -\n", strict: true, code: "ESYMLINKSIZE", reason: "Invalid symlink size 1, must match size 5" },
  { name: "strict: symlink size printed signed", dump: R + "/l -2 120777 1 0 0 0 0.0 a - -\n", strict: true, code: "ESYMLINKSIZE", reason: "Invalid symlink size 1, must match size -2" },
  { name: "strict: symlink content", dump: R + "/l 1 120777 1 0 0 0 0.0 a b -\n", strict: true, code: "ESYMLINKCONTENT", reason: "Symlink cannot have content" },
  { name: "strict: devnum before symlink", dump: R + "/l 5 120777 1 0 0 1 0.0 - - -\n", strict: true, code: "EDEVNUM", reason: "Non-zero devnum on non-device" },
  { name: "payload of 4096 bytes", dump: R + `/a 0 100644 1 0 0 0 0.0 ${long(4096)} - -\n`, code: "EPAYLOAD", reason: "Invalid payload" },
  { name: "payload of 4096 bytes on a directory", dump: R + `/d 0 40755 1 0 0 0 0.0 ${long(4096)} - -\n`, code: "EPAYLOAD", reason: "Invalid payload" },
  { name: "content of 5001 bytes", dump: R + `/a 5001 100644 1 0 0 0 0.0 - ${long(5001)} -\n`, code: "EINLINESIZE", reason: "Inline content size 5001 exceeds maximum 5000" },
  // §1.10 xattrs
  { name: "xattr section over 65535 bytes", dump: R + file("/a", " " + long(65536)), code: "ETOOMANYXATTRS", reason: "Too many xattrs" },
  { name: "xattr without =", dump: R + file("/a", " user.a"), code: "EXATTRNOEQ", reason: "Missing = in xattr" },
  { name: "two trailing spaces", dump: R + file("/a", " user.a=1  "), code: "EXATTRNOEQ", reason: "Missing = in xattr" },
  { name: "empty xattr key", dump: R + file("/a", " =v"), code: "ESETXATTR", reason: "Can't set xattr" },
  { name: "xattr key empty after NUL cut", dump: R + file("/a", " \\x00k=v"), code: "ESETXATTR", reason: "Can't set xattr" },
  { name: "xattr key of 256 bytes", dump: R + file("/a", ` ${long(256)}=v`), code: "ESETXATTR", reason: "Can't set xattr" },
  { name: "xattr budget exceeded", dump: R + file("/a", ` user.a=${long(16000)} user.b=${long(16000)} user.c=${long(717)}`), code: "ESETXATTR", reason: "Can't set xattr" },
  { name: "xattr errors in order", dump: R + file("/a", " =v user.b"), code: "ESETXATTR", reason: "Can't set xattr" },
];

/** Dumps C accepts at parse time, several through a quirk. */
// deno-fmt-ignore
export const ACCEPT_CASES: AcceptCase[] = [
  { name: "short root line", dump: "/ 0 40755 2 0 0 0 0.0\n" },
  { name: "no final LF (non-strict)", dump: R + "/a 0 100644 1 0 0 0 0.0 - - -" },
  { name: "bad GID with UID != 0", dump: R + "/a 0 100644 1 5 x 0 0.0 - - -\n" },
  { name: "bad RDEV with UID != 0", dump: R + "/a 0 100644 1 5 0 y 0.0 - - -\n" },
  { name: "bad GID with UID 2^32 (truncates to 0)", dump: R + "/a 0 100644 1 4294967296 x 0 0.0 - - -\n" },
  { name: "MODE above 32 bits", dump: R + "/a 0 40000100644 1 0 0 0 0.0 - - -\n" },
  { name: "numbers with + and whitespace", dump: R + "/a +3 \t100644 \v+1 \f7 \r8 0 \t-1.+5 - abc -\n" },
  { name: "negative and clamped numbers", dump: R + "/a 0 100644 -1 -4294967295 99999999999999999999999 0 -99999999999999999999999.4294967297 - - -\n" },
  { name: "nsec above 10^9", dump: R + "/a 0 100644 1 0 0 0 5.1999999999 - - -\n" },
  { name: "device numbers", dump: R + "/c 0 20644 1 0 0 4294967297 0.0 - - -\n/b 0 60644 1 0 0 259 0.0 - - -\n" },
  { name: "devnum on a file (non-strict)", dump: R + "/a 0 100644 1 0 0 5 0.0 - - -\n" },
  { name: "symlink content dropped (non-strict)", dump: R + "/l 1 120777 1 0 0 0 0.0 a b -\n" },
  { name: "symlink size ignored (non-strict)", dump: R + "/l 99 120777 1 0 0 0 0.0 ab - -\n" },
  { name: "escaped dash payload", dump: R + "/a 5 100644 1 0 0 0 0.0 \\x2d - -\n" },
  { name: "escaped dash content", dump: R + "/a 1 100644 1 0 0 0 0.0 - \\x2d -\n" },
  { name: "NUL cuts PATH and PAYLOAD", dump: R + "/a\\x00b 5 100644 1 0 0 0 0.0 x\\x00y - -\n" },
  { name: "binary content keeps NUL", dump: R + "/a 3 100644 1 0 0 0 0.0 - \\x00\\xff= -\n" },
  { name: "raw bytes >= 0x80, TAB and CR", dump: R + "/\xe9\t\r 0 100644 1 0 0 0 0.0 - - -\n" },
  { name: "relative and doubled slashes", dump: R + "d 0 40755 2 0 0 0 0.0 - - -\n//d//x 0 100644 1 0 0 0 0.0 - - -\n" },
  { name: "children in any order", dump: R + file("/b") + file("/a") + file("/c") },
  { name: "xattrs: raw = in value, escaped = in key, last wins", dump: R + file("/a", " user.k=a=b user.k\\x3dq=1 user.k=2 ") },
  { name: "xattr key cut at NUL", dump: R + file("/a", " user.k\\x00zz=v") },
  { name: "xattr budget just fits", dump: R + file("/a", ` user.a=${long(16000)} user.b=${long(16000)} user.c=${long(716)}`) },
  { name: "xattrs on a hardlink line are ignored", dump: R + file("/a") + "/h 0 @100644 1 0 0 0 0.0 /a - - =\n" },
  { name: "hardlink target later in the file", dump: R + "/h 0 @100644 1 0 0 0 0.0 /a - -\n" + file("/a") },
  { name: "hardlink chain", dump: R + file("/a") + "/b 0 @100644 1 0 0 0 0.0 a - -\n/c 0 @100644 1 0 0 0 0.0 //b - -\n" },
  { name: "hardlink to a directory", dump: R + "/d 0 40755 2 0 0 0 0.0 - - -\n/h 0 @100644 1 0 0 0 0.0 /d - -\n" },
  { name: "hardlink to the root", dump: R + "/h 0 @100644 1 0 0 0 0.0  - -\n" },
  { name: "hardlink to a whiteout", dump: R + "/w 0 20000 1 0 0 0 0.0 - - -\n/h 0 @100644 1 0 0 0 0.0 /w - -\n" },
  { name: "hardlink cycle (writer: ELOOP)", dump: R + "/a 0 @100644 1 0 0 0 0.0 /b - -\n/b 0 @100644 1 0 0 0 0.0 /a - -\n", cWriterError: "cannot write file: Too many levels of symbolic links" },
  { name: "digest of 64 hex digits", dump: R + `/a 5 100644 1 0 0 0 0.0 ab/cd - ${"0123456789abcdefABCDEF".padEnd(64, "7")}\n` },
  { name: "malformed digest on a directory (ignored)", dump: R + "/d 0 40755 2 0 0 0 0.0 - - xyz\n" },
  { name: "malformed digest on an inline file (ignored)", dump: R + "/a 3 100644 1 0 0 0 0.0 - abc 12\n" },
  { name: "too-big external file (writer: EFBIG)", dump: R + "/a 9500000000000000 100644 1 0 0 0 0.0 x - -\n", cWriterError: "cannot write file: File too large" },
  { name: "strict: a clean dump", dump: R + "/a 3 100644 1 0 0 0 0.0 - abc -\n/l 1 120777 1 0 0 0 0.0 a - -\n", strict: true },
];

/**
 * A dump of exactly `total` bytes whose last line, `lastLine` bytes long, has no LF: for C's
 * 64 KiB `fread` quirk in strict mode (§1.1). The last line is valid and may be up to 65536 bytes
 * (its xattr value is written with `\\x41` escapes to stay inside the xattr budget).
 */
export function unterminatedDump(total: number, lastLine: number): string {
  const head = "/last 0 100644 1 0 0 0 0.0 - - - user.x=";
  const pad = lastLine - head.length;
  const last = head + "\\x41".repeat(Math.floor(pad / 4)) + "A".repeat(pad % 4);
  let out = R;
  let i = 0;
  const fillTo = total - lastLine;
  const line = (name: string) => `/${name} 0 100644 1 0 0 0 0.0 - - -\n`;
  while (fillTo - out.length > 200) out += line(`f${String(i++).padStart(6, "0")}`);
  const rest = fillTo - out.length;
  if (rest > 0) out += line("g".repeat(rest - line("").length));
  out += last;
  if (out.length !== total || last.length !== lastLine) throw new RangeError("Bad test geometry");
  return out;
}
