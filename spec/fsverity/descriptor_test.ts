import assert from "node:assert/strict";
import { ByteReader } from "../bytes/byte_reader.ts";
import { ByteWriter } from "../bytes/byte_writer.ts";
import {
  decodeFsverityDescriptor,
  encodeFsverityDescriptor,
  FS_VERITY_HASH_ALG_SHA256,
  FSVERITY_DESCRIPTOR_FIELDS,
  FSVERITY_DESCRIPTOR_RESERVED2_SIZE,
  FSVERITY_DESCRIPTOR_SIZE,
  FSVERITY_LOG_BLOCKSIZE,
  type FsverityDescriptor,
} from "./descriptor.ts";

Deno.test("FSVERITY_DESCRIPTOR_FIELDS increase and end at FSVERITY_DESCRIPTOR_SIZE", () => {
  const offsets = Object.values(FSVERITY_DESCRIPTOR_FIELDS);
  for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i]! > offsets[i - 1]!);
  assert.equal(
    FSVERITY_DESCRIPTOR_FIELDS.reserved2 + FSVERITY_DESCRIPTOR_RESERVED2_SIZE,
    FSVERITY_DESCRIPTOR_SIZE,
  );
});

Deno.test("encodeFsverityDescriptor() lays out the fields as struct fsverity_descriptor", () => {
  const w = new ByteWriter(FSVERITY_DESCRIPTOR_SIZE);
  const rootHash = new Uint8Array(32).fill(0xaa);
  encodeFsverityDescriptor(w, {
    version: 1,
    hashAlgorithm: FS_VERITY_HASH_ALG_SHA256,
    logBlocksize: FSVERITY_LOG_BLOCKSIZE,
    saltSize: 0,
    dataSize: 0x0102030405060708n,
    rootHash,
    salt: new Uint8Array(0),
  });
  assert.equal(w.pos, FSVERITY_DESCRIPTOR_SIZE);
  const expected = new Uint8Array(FSVERITY_DESCRIPTOR_SIZE);
  expected.set([1, 1, 12, 0, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1]);
  expected.set(rootHash, 16);
  assert.deepEqual(w.bytes, expected);
});

Deno.test("decodeFsverityDescriptor() reads back what encodeFsverityDescriptor() wrote", () => {
  const d: FsverityDescriptor = {
    version: 1,
    hashAlgorithm: 1,
    logBlocksize: 12,
    saltSize: 5,
    dataSize: 2n ** 63n + 12345n,
    rootHash: new Uint8Array(64).map((_, i) => i + 1),
    salt: new Uint8Array(32).map((_, i) => (i < 5 ? 0xc0 + i : 0)),
  };
  const w = new ByteWriter(FSVERITY_DESCRIPTOR_SIZE + 8);
  w.pos = 8;
  encodeFsverityDescriptor(w, d);
  assert.deepEqual(decodeFsverityDescriptor(new ByteReader(w.bytes), 8), d);
});

Deno.test("decodeFsverityDescriptor() rejects a truncated descriptor", () => {
  const r = new ByteReader(new Uint8Array(FSVERITY_DESCRIPTOR_SIZE - 1));
  assert.throws(() => decodeFsverityDescriptor(r, 0), RangeError);
});

Deno.test("encodeFsverityDescriptor() rejects an oversized root hash", () => {
  const w = new ByteWriter(FSVERITY_DESCRIPTOR_SIZE);
  const d = {
    version: 1,
    hashAlgorithm: 1,
    logBlocksize: 12,
    saltSize: 0,
    dataSize: 0n,
    rootHash: new Uint8Array(65),
    salt: new Uint8Array(0),
  };
  assert.throws(() => encodeFsverityDescriptor(w, d), RangeError);
});
