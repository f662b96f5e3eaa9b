/**
 * The tree node the directory walk makes: a {@link Node} whose fs-verity digest and payload (the
 * object path `xx/yyyy…`) stay in two buffers shared by the whole tree ({@link DigestSlots}).
 * `digest` and `payload` are views made when read, so a large tree holds no two views per file:
 * about 200 bytes a file, a third of a node's memory.
 *
 * @module
 */
import { OBJECT_PATH_LENGTH, writeObjectPath } from "../../spec/fsverity/object_path.ts";
import { OVERLAY_METACOPY_HEADER } from "../../spec/erofs/prepare.ts";
import { type Node, S_IFDIR, S_IFMT, type Xattr } from "../../spec/tree/node.ts";

const EMPTY = new Uint8Array(0);
/** A slot's bytes in {@link DigestSlots.digests}: metacopy header, digest. */
const DIGEST_STRIDE = 4 + 32;
/** A slot's bytes in {@link DigestSlots.paths}: `/`, object path. */
const PATH_STRIDE = 1 + OBJECT_PATH_LENGTH;
/** A name is kept as `offset * NAME_AT_OFFSET + length`. */
const NAME_AT_OFFSET = 2 ** 16;
const NO_XATTRS = Object.freeze([]) as unknown as Xattr[];
const NO_CHILDREN = Object.freeze([]) as unknown as Node[];

/**
 * The digests of a walk's files and their object paths, laid out so that the image writer finds
 * its xattr values in place (no copy): each digest after the metacopy header (36 bytes a slot),
 * each path after a `/` (66 bytes a slot).
 */
export class DigestSlots {
  readonly digests: Uint8Array;
  readonly paths: Uint8Array;

  /** Copies `digests` (32 bytes per slot, `count` slots) and writes every slot's object path. */
  constructor(digests: Uint8Array, count: number) {
    this.digests = new Uint8Array(count * DIGEST_STRIDE);
    this.paths = new Uint8Array(count * PATH_STRIDE);
    for (let i = 0; i < count; i++) {
      const d = digests.subarray(i * 32, i * 32 + 32);
      this.digests.set(OVERLAY_METACOPY_HEADER, i * DIGEST_STRIDE);
      this.digests.set(d, i * DIGEST_STRIDE + 4);
      this.paths[i * PATH_STRIDE] = 0x2f;
      writeObjectPath(d, this.paths, i * PATH_STRIDE + 1);
    }
  }

  /** The digest of `slot`, a view. */
  digest(slot: number): Uint8Array {
    const at = slot * DIGEST_STRIDE + 4;
    return this.digests.subarray(at, at + 32);
  }

  /** The object path of `slot`, a view. */
  path(slot: number): Uint8Array {
    const at = slot * PATH_STRIDE + 1;
    return this.paths.subarray(at, at + OBJECT_PATH_LENGTH);
  }
}

/** The fields most scanned nodes leave at their defaults, kept apart to save 40 bytes a node. */
interface Rare {
  nlink: number;
  rdev: number;
  content: Uint8Array | null;
  linkTo: Node | null;
  digest: Uint8Array | null;
  payload: Uint8Array | null;
}

/** A node read from disk; see the module doc. Assigning `digest` or `payload` stores them. */
export class ScannedNode implements Node {
  parent: Node | null = null;
  mode: number;
  uid: number;
  gid: number;
  size: bigint;
  mtimeSec = 0n;
  mtimeNsec = 0;
  xattrs: Xattr[] = NO_XATTRS;
  xattrBudget = 0;
  children: Node[];
  /**
   * The name as the buffer holding it and `offset * 2^16 + length`: a view per node would cost
   * ~100 bytes, and names (from the walk's arena) are read far less often than kept.
   */
  #nameBuffer: ArrayBufferLike = EMPTY.buffer;
  #nameAt = 0;
  /** The walk's digests and this file's slot in them; -1 when there is none. */
  #slots: DigestSlots | null = null;
  #slot = -1;
  #rare: Rare | null = null;

  constructor(mode: number, uid: number, gid: number, rdev: number, size: bigint) {
    this.mode = mode >>> 0;
    this.uid = uid;
    this.gid = gid;
    this.size = size;
    this.children = (mode & S_IFMT) === S_IFDIR ? [] : NO_CHILDREN;
    if (rdev !== 0) this.rdev = rdev;
  }

  #ensureRare(): Rare {
    return this.#rare ??= {
      nlink: 1,
      rdev: 0,
      content: null,
      linkTo: null,
      digest: null,
      payload: null,
    };
  }

  get name(): Uint8Array {
    const at = this.#nameAt;
    return new Uint8Array(this.#nameBuffer, Math.floor(at / NAME_AT_OFFSET), at % NAME_AT_OFFSET);
  }

  set name(v: Uint8Array) {
    if (v.length >= NAME_AT_OFFSET) throw new RangeError("Cannot keep a name of 64 KiB or more");
    this.#nameBuffer = v.buffer;
    this.#nameAt = v.byteOffset * NAME_AT_OFFSET + v.length;
  }

  get nlink(): number {
    return this.#rare?.nlink ?? 1;
  }

  set nlink(v: number) {
    this.#ensureRare().nlink = v;
  }

  get rdev(): number {
    return this.#rare?.rdev ?? 0;
  }

  set rdev(v: number) {
    this.#ensureRare().rdev = v;
  }

  get content(): Uint8Array | null {
    return this.#rare?.content ?? null;
  }

  set content(v: Uint8Array | null) {
    this.#ensureRare().content = v;
  }

  get linkTo(): Node | null {
    return this.#rare?.linkTo ?? null;
  }

  set linkTo(v: Node | null) {
    this.#ensureRare().linkTo = v;
  }

  /**
   * Points the digest and the payload at `slot` of `slots` (as C's
   * `lcfs_node_set_fsverity_digest` plus the `xx/yyyy…` payload).
   */
  setDigestSlot(slots: DigestSlots, slot: number): void {
    this.#slots = slots;
    this.#slot = slot;
    if (this.#rare !== null) this.#rare.digest = this.#rare.payload = null;
  }

  get digest(): Uint8Array | null {
    return this.#slot >= 0 ? this.#slots!.digest(this.#slot) : this.#rare?.digest ?? null;
  }

  set digest(d: Uint8Array | null) {
    this.#unslot();
    this.#ensureRare().digest = d;
  }

  get payload(): Uint8Array | null {
    return this.#slot >= 0 ? this.#slots!.path(this.#slot) : this.#rare?.payload ?? null;
  }

  set payload(p: Uint8Array | null) {
    this.#unslot();
    this.#ensureRare().payload = p;
  }

  /** Before one of digest and payload is set: the other keeps its value, as a copy. */
  #unslot(): void {
    if (this.#slot < 0) return;
    const rare = this.#ensureRare();
    rare.digest = this.digest!.slice();
    rare.payload = this.payload!.slice();
    this.#slot = -1;
    this.#slots = null;
  }
}
