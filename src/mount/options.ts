/**
 * The `-o` option string of mount.composefs, parsed as C mount.composefs 1.0.8 parses it:
 *
 * - Options are separated by `,`. A backslash makes the next character literal, so `\,` is a
 *   comma inside a value. Values are unescaped (each backslash dropped, the character after it
 *   kept); keys are not, so a key with a backslash is an unsupported option, as in C.
 * - The first `=` splits key and value. Keys are matched exactly (case matters).
 * - The last occurrence of an option wins; `rw` undoes an earlier `ro`.
 * - `verity`, `tryverity`, `ro`, `rw` take no value, and C ignores one if given (`ro=1`).
 * - An empty option (`ro,,rw`, a trailing comma, `-o ''`) is an unsupported option, as in C.
 * - `basedir=A:B:…` is required; every directory must be non-empty (C's `strtok` check).
 * - `upperdir` and `workdir` come together or not at all.
 * - `digest=` must be 64 hex digits (a SHA-256 fs-verity digest). C accepts any even number of
 *   hex digits up to 128 here and compares 32 bytes against it; we reject the others.
 *
 * @module
 */
import { MountOptionError } from "./errors.ts";

/** One `key[=value]` of an option string; `value` is unescaped, null without `=`. */
export interface RawMountOption {
  /** The key, as written (keys are not unescaped). */
  key: string;
  /** The unescaped value, or null when there was no `=`. */
  value: string | null;
}

/** What an option string asks for. */
export interface ParsedMountOptions {
  /** `basedir=`: the object directories, in order (data-only layers). */
  basedirs: string[];
  /** `digest=`: the image's expected fs-verity digest, 64 hex digits. Implies `verity`. */
  digest?: string;
  /** `verity`: every file must have a matching fs-verity digest (overlayfs `verity=require`). */
  verity: boolean;
  /** `tryverity`: `verity=require` where the kernel supports it. */
  tryVerity: boolean;
  /** `idmap=`: a user namespace file whose ID mapping the mount uses. */
  idmap?: string;
  /** `upperdir=`: a writable overlayfs upper layer. */
  upperdir?: string;
  /** `workdir=`: the overlayfs work directory that goes with `upperdir`. */
  workdir?: string;
  /** `ro` (true) or `rw` (false, the default). */
  readonly: boolean;
}

/** Drops each backslash and keeps the character after it (a trailing one is dropped). */
function unescapeOption(s: string): string {
  return s.indexOf("\\") < 0 ? s : s.replace(/\\(.?)/gsu, "$1");
}

/**
 * Splits an option string into its options, as C's `parse_option` loop does.
 *
 * @example
 * ```ts
 * import { splitMountOptions } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(splitMountOptions("ro,basedir=/a\\,b"), [
 *   { key: "ro", value: null },
 *   { key: "basedir", value: "/a,b" },
 * ]);
 * ```
 */
export function splitMountOptions(text: string): RawMountOption[] {
  const out: RawMountOption[] = [];
  let start = 0;
  for (;;) {
    let eq = -1;
    let p = start;
    for (; p < text.length; p++) {
      const c = text[p];
      if (c === "=" && eq < 0) eq = p;
      else if (c === "\\" && p + 1 < text.length) p++;
      else if (c === ",") break;
    }
    out.push(
      eq < 0
        ? { key: text.slice(start, p), value: null }
        : { key: text.slice(start, eq), value: unescapeOption(text.slice(eq + 1, p)) },
    );
    if (p >= text.length) return out;
    start = p + 1;
  }
}

const VALUE_KEYS = ["basedir", "digest", "upperdir", "workdir", "idmap"] as const;

/**
 * Checks a set of options the way C does after parsing them (and our digest rule): a
 * non-empty basedir list with no empty directory, `upperdir` and `workdir` together, a 64-digit
 * hex digest. Throws {@link MountOptionError}.
 */
export function assertValidMountOptions(o: {
  basedirs: readonly string[];
  digest?: string | undefined;
  upperdir?: string | undefined;
  workdir?: string | undefined;
}): void {
  if (o.basedirs.some((d) => d === "")) {
    throw new MountOptionError(
      "EBASEDIRFORMAT",
      "basedir",
      "Value for basedir option has incorrect format",
    );
  }
  if (o.basedirs.length === 0) {
    throw new MountOptionError("ENOBASEDIR", "basedir", "No object dirs specified");
  }
  if ((o.upperdir === undefined) !== (o.workdir === undefined)) {
    throw new MountOptionError(
      "EUPPERWORK",
      o.upperdir === undefined ? "workdir" : "upperdir",
      "Both workdir and upperdir must be specified if used",
    );
  }
  if (o.digest !== undefined && !/^[0-9a-fA-F]{64}$/.test(o.digest)) {
    throw new MountOptionError(
      "EINVALDIGEST",
      "digest",
      `Invalid digest "${o.digest}", must be 64 hex digits`,
    );
  }
}

/**
 * Parses the `-o` string of mount.composefs (undefined when there was no `-o`) and checks the
 * result; see the module doc. Throws {@link MountOptionError} with C's message.
 *
 * @example
 * ```ts
 * import { parseMountOptions } from "./options.ts";
 * import assert from "node:assert/strict";
 * const o = parseMountOptions("ro,basedir=/objects:/more,rw,verity");
 * assert.deepEqual(o.basedirs, ["/objects", "/more"]);
 * assert.equal(o.readonly, false);
 * assert.equal(o.verity, true);
 * ```
 */
export function parseMountOptions(text: string | undefined): ParsedMountOptions {
  const values: Partial<Record<(typeof VALUE_KEYS)[number], string>> = {};
  const out: ParsedMountOptions = {
    basedirs: [],
    verity: false,
    tryVerity: false,
    readonly: false,
  };
  for (const { key, value } of text === undefined ? [] : splitMountOptions(text)) {
    if ((VALUE_KEYS as readonly string[]).includes(key)) {
      if (value === null) {
        throw new MountOptionError("ENOVALUE", key, `No value specified for ${key} option`);
      }
      values[key as (typeof VALUE_KEYS)[number]] = value;
    } else if (key === "verity") out.verity = true;
    else if (key === "tryverity") out.tryVerity = true;
    else if (key === "ro") out.readonly = true;
    else if (key === "rw") out.readonly = false;
    else {
      throw new MountOptionError(
        "EUNSUPPORTED",
        key,
        key === "" ? 'Unsupported option ""' : `Unsupported option ${key}`,
      );
    }
  }
  if (values.basedir !== undefined) out.basedirs = values.basedir.split(":");
  if (values.digest !== undefined) out.digest = values.digest;
  if (values.idmap !== undefined) out.idmap = values.idmap;
  if (values.upperdir !== undefined) out.upperdir = values.upperdir;
  if (values.workdir !== undefined) out.workdir = values.workdir;
  assertValidMountOptions(out);
  return out;
}

/**
 * Escapes a path for the legacy overlayfs option string: a comma gets a backslash, as C's
 * `escape_mount_option` does (the only character C escapes).
 */
export function escapeMountOption(path: string): string {
  return path.replaceAll(",", "\\,");
}
