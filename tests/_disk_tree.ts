/**
 * Random directory trees on disk for the directory-source tests: a fast-check arbitrary of a
 * tree description, and {@link writeDiskTree}, which creates it through FFI so that names can
 * hold any byte (0x01-0xff except `/`), mtimes carry nanoseconds, and xattrs, owners and device
 * nodes can be set. Root-only features (devices, `trusted.*`, chown) are generated only when
 * `root` is true.
 *
 * @module
 */
import fc from "fast-check";
import * as libc from "../src/fs/libc.ts";

/** Attributes every entry has. */
interface Common {
  name: Uint8Array;
  /** Permission bits (07777). */
  perm: number;
  mtimeSec: bigint;
  mtimeNsec: number;
  /** Set with lchown when defined (root only). */
  owner?: { uid: number; gid: number } | undefined;
  xattrs: [Uint8Array, Uint8Array][];
}

/** One entry of a tree description. */
export type DiskEntry =
  | (Common & { kind: "file"; size: number; seed: number })
  | (Common & { kind: "dir"; children: DiskEntry[] })
  | (Common & { kind: "symlink"; target: Uint8Array })
  | (Common & { kind: "fifo" | "sock" })
  | (Common & { kind: "chr" | "blk"; rdev: number })
  /** A second name for the `index`-th regular file created so far (modulo their count). */
  | { kind: "hardlink"; name: Uint8Array; index: number };

/** Sizes around the inline limit (64) and block boundaries, plus some larger ones. */
const SIZES = [0, 1, 2, 63, 64, 65, 100, 4095, 4096, 4097, 8192, 12289, 200000, 1048577];

/** A name: 1..40 bytes (sometimes up to 255), never `/` or NUL, never `.` or `..`. */
export function nameArb(): fc.Arbitrary<Uint8Array> {
  const byte = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(...[..."abcdefxyz019._-"].map((c) => c.charCodeAt(0))),
    },
    { weight: 1, arbitrary: fc.constantFrom(0x20, 0x0a, 0x5c, 0x09, 0x3d, 0x22, 0x25, 0x2b, 0x21) },
    { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 0x7f }).filter((b) => b !== 0x2f) },
  );
  const short = fc.array(byte, { minLength: 1, maxLength: 12 });
  const long = fc.array(byte, { minLength: 200, maxLength: 255 });
  return fc.oneof({ weight: 20, arbitrary: short }, { weight: 1, arbitrary: long })
    .map((bytes) => new Uint8Array(bytes))
    .filter((n) => !(n.length <= 2 && n.every((b) => b === 0x2e)));
}

const ascii = (s: string) => new TextEncoder().encode(s);

function xattrsArb(prefixes: string[], max: number): fc.Arbitrary<[Uint8Array, Uint8Array][]> {
  if (prefixes.length === 0) return fc.constant([]);
  const key = fc.tuple(
    fc.constantFrom(...prefixes),
    fc.stringMatching(/^[a-z0-9._-]{1,16}$/),
  ).map(([p, s]) => ascii(p + s));
  const value = fc.oneof(
    { weight: 8, arbitrary: fc.uint8Array({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 100, maxLength: 600 }) },
  );
  return fc.uniqueArray(fc.tuple(key, value), {
    maxLength: max,
    selector: ([k]) => new TextDecoder().decode(k),
  });
}

const mtimeArb = fc.record({
  mtimeSec: fc.oneof(
    fc.bigInt({ min: 0n, max: 2000000000n }),
    fc.bigInt({ min: -2147483648n, max: 8589934591n }),
    fc.constant(0n),
  ),
  mtimeNsec: fc.oneof(fc.integer({ min: 0, max: 999999999 }), fc.constant(0)),
});

const ownerArb = fc.record({
  uid: fc.oneof(fc.integer({ min: 0, max: 70000 }), fc.constant(4294967294)),
  gid: fc.oneof(fc.integer({ min: 0, max: 70000 }), fc.constant(65536)),
});

/** Options of {@link diskTreeArb}. */
export interface DiskTreeOptions {
  /** Generate devices, `trusted.*` xattrs and owners (needs root). */
  root: boolean;
  /** Deepest directory level (default 3). */
  depth?: number;
  /** Most entries per directory (default 6). */
  width?: number;
  /** Fewest entries in the top directory (default 0). */
  minWidth?: number;
}

/** An arbitrary list of root entries. */
export function diskTreeArb(o: DiskTreeOptions): fc.Arbitrary<DiskEntry[]> {
  const userPrefixes = ["user."];
  const anyPrefixes = o.root
    ? ["user.", "trusted.", "trusted.overlay.", "user.overlay."]
    : ["user."];
  const specialPrefixes = o.root ? ["trusted.", "trusted.overlay."] : [];
  const owner = o.root ? fc.option(ownerArb, { nil: undefined }) : fc.constant(undefined);
  // Without root, keep directories and files readable so the walk and the cleanup can work.
  const dirPerm = o.root
    ? fc.integer({ min: 0, max: 0o7777 })
    : fc.integer({ min: 0o700, max: 0o7777 });
  const filePerm = o.root
    ? fc.integer({ min: 0, max: 0o7777 })
    : fc.integer({ min: 0o400, max: 0o7777 });
  const common = (perm: fc.Arbitrary<number>, prefixes: string[]) =>
    fc.record({
      name: nameArb(),
      perm,
      owner,
      xattrs: xattrsArb(prefixes, 4),
    }).chain((c) => mtimeArb.map((m) => ({ ...c, ...m })));
  const file = fc.tuple(
    common(filePerm, anyPrefixes),
    fc.oneof(fc.constantFrom(...SIZES), fc.integer({ min: 0, max: 20000 })),
    fc.integer(),
  ).map(([c, size, seed]): DiskEntry => ({ ...c, kind: "file", size, seed }));
  const symlink = fc.tuple(
    common(fc.constant(0o777), specialPrefixes),
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 30 }),
      fc.uint8Array({ minLength: 1000, maxLength: 4095 }),
    ).map((t) => t.map((b) => (b === 0 ? 0x41 : b))),
  ).map(([c, target]): DiskEntry => ({ ...c, kind: "symlink", target }));
  const special = fc.tuple(
    common(filePerm, specialPrefixes),
    fc.constantFrom("fifo", "sock") as fc.Arbitrary<"fifo" | "sock">,
  )
    .map(([c, kind]): DiskEntry => ({ ...c, kind }));
  const device = fc.tuple(
    common(filePerm, specialPrefixes),
    fc.constantFrom("chr", "blk") as fc.Arbitrary<"chr" | "blk">,
    fc.oneof(
      fc.constant(0),
      fc.tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 0, max: 0xfffff }))
        .map(([ma, mi]) => ((mi & 0xff) | (ma << 8) | ((mi & ~0xff) << 12)) >>> 0),
    ),
  ).map(([c, kind, rdev]): DiskEntry => ({ ...c, kind, rdev }));
  const hardlink = fc.record({ name: nameArb(), index: fc.nat() })
    .map((h): DiskEntry => ({ kind: "hardlink", ...h }));
  const width = o.width ?? 6;
  const leaves: fc.WeightedArbitrary<DiskEntry>[] = [
    { weight: 6, arbitrary: file },
    { weight: 2, arbitrary: symlink },
    { weight: 1, arbitrary: special },
    { weight: 1, arbitrary: hardlink },
  ];
  if (o.root) leaves.push({ weight: 1, arbitrary: device });
  const leaf = fc.oneof(...leaves);
  const entries = (depth: number): fc.Arbitrary<DiskEntry[]> => {
    const dir = depth <= 0
      ? leaf
      : fc.tuple(common(dirPerm, userPrefixes.concat(specialPrefixes)), entries(depth - 1))
        .map(([c, children]): DiskEntry => ({ ...c, kind: "dir", children }));
    const entry = depth <= 0
      ? leaf
      : fc.oneof({ weight: 5, arbitrary: leaf }, { weight: 2, arbitrary: dir });
    return fc.uniqueArray(entry, {
      minLength: depth === (o.depth ?? 3) ? Math.min(o.minWidth ?? 0, width) : 0,
      maxLength: width,
      size: "max",
      selector: (e) => Array.from(e.name).join(","),
    });
  };
  return entries(o.depth ?? 3);
}

/** Deterministic file content (xorshift32 from `seed`). */
export function fileContent(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = (seed | 1) >>> 0;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFSOCK = 0o140000;

/**
 * Creates `entries` inside the existing directory `dir` (a path string), then sets the
 * directory's own attributes from `self` when given. Attributes are applied after the content,
 * and a directory's after its children, so the mtimes stay as described.
 */
export function writeDiskTree(
  dir: string,
  entries: DiskEntry[],
  self?: Omit<Common, "name">,
): void {
  const files: Uint8Array[] = [];
  const base = new TextEncoder().encode(dir);
  const join = (a: Uint8Array, b: Uint8Array) => {
    const out = new Uint8Array(a.length + 1 + b.length);
    out.set(a);
    out[a.length] = 0x2f;
    out.set(b, a.length + 1);
    return out;
  };
  const finish = (path: Uint8Array, c: Omit<Common, "name">, isLink: boolean) => {
    for (const [k, v] of c.xattrs) libc.lsetXattr(path, k, v as Uint8Array<ArrayBuffer>);
    if (c.owner) libc.lchownAt(libc.AT_FDCWD, path, c.owner.uid, c.owner.gid);
    // chown clears set-id bits, so chmod comes after it.
    if (!isLink) libc.chmodAt(libc.AT_FDCWD, path, c.perm);
    libc.lutimensAt(libc.AT_FDCWD, path, c.mtimeSec, c.mtimeNsec);
  };
  const create = (parent: Uint8Array, list: DiskEntry[]) => {
    for (const e of list) {
      const path = join(parent, e.name);
      switch (e.kind) {
        case "file": {
          const fd = libc.openAt(
            libc.AT_FDCWD,
            path,
            libc.O_WRONLY | libc.O_CREAT | libc.O_EXCL,
            0o600,
          );
          try {
            libc.writeAll(fd, fileContent(e.size, e.seed));
          } finally {
            libc.closeFd(fd);
          }
          files.push(path);
          finish(path, e, false);
          break;
        }
        case "dir":
          libc.mkdirAt(libc.AT_FDCWD, path, 0o700);
          create(path, e.children);
          finish(path, e, false);
          break;
        case "symlink":
          libc.symlinkAt(e.target, libc.AT_FDCWD, path);
          finish(path, e, true);
          break;
        case "fifo":
        case "sock":
          libc.mknodAt(libc.AT_FDCWD, path, (e.kind === "fifo" ? S_IFIFO : S_IFSOCK) | 0o600, 0);
          finish(path, e, false);
          break;
        case "chr":
        case "blk":
          libc.mknodAt(libc.AT_FDCWD, path, (e.kind === "chr" ? S_IFCHR : S_IFBLK) | 0o600, e.rdev);
          finish(path, e, false);
          break;
        case "hardlink":
          if (files.length === 0) break;
          libc.linkAt(libc.AT_FDCWD, files[e.index % files.length]!, libc.AT_FDCWD, path);
          break;
      }
    }
  };
  create(base, entries);
  if (self) finish(base, self, false);
}

/** True when running as root (devices, trusted xattrs and chown work). */
export function isRoot(): boolean {
  return Deno.uid() === 0;
}

/** Hex of a name, for failure reports. */
export function showName(name: Uint8Array): string {
  return Array.from(
    name,
    (
      b,
    ) => (b >= 0x21 && b < 0x7f && b !== 0x25
      ? String.fromCharCode(b)
      : `%${b.toString(16).padStart(2, "0")}`),
  ).join("");
}

/** A readable listing of a description, for failure reports. */
export function showTree(entries: DiskEntry[], indent = ""): string {
  const lines: string[] = [];
  for (const e of entries) {
    if (e.kind === "hardlink") {
      lines.push(`${indent}${showName(e.name)} hardlink #${e.index}`);
      continue;
    }
    const extra = e.kind === "file"
      ? ` size=${e.size}`
      : e.kind === "chr" || e.kind === "blk"
      ? ` rdev=${e.rdev}`
      : e.kind === "symlink"
      ? ` -> ${e.target.length}B`
      : "";
    const xs = e.xattrs.map(([k, v]) => `${new TextDecoder().decode(k)}(${v.length})`).join(" ");
    lines.push(
      `${indent}${showName(e.name)} ${e.kind} ${
        e.perm.toString(8)
      } ${e.mtimeSec}.${e.mtimeNsec}${extra} ${xs}`,
    );
    if (e.kind === "dir") lines.push(showTree(e.children, indent + "  "));
  }
  return lines.filter((l) => l !== "").join("\n");
}
