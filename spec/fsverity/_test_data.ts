/**
 * Test data for the fs-verity tests: a deterministic byte pattern and the digests C
 * `composefs-info measure-file` (1.0.8) printed for it.
 *
 * @module
 */

/**
 * `n` bytes from a xorshift32 generator (13, 17, 5), one step per byte, low byte kept.
 * The golden digests below were made with `seed` = 0x9e3779b9.
 */
export function patternBytes(n: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** 129 × 128 blocks and 5 bytes: four tree levels (16513, 130, 2 and 1 blocks). */
export const MULTI_LEVEL_SIZE = 129 * 128 * 4096 + 5;

/**
 * `composefs-info measure-file` on `patternBytes(size)`, C composefs 1.0.8. Size 0 shows the
 * empty-input quirk; every other value is also the kernel's `fsverity digest`.
 */
export const GOLDEN_DIGESTS: ReadonlyArray<readonly [size: number, hex: string]> = [
  [0, "cfc3391077edfd51859f6e5e16e03f82b1da3ee1a35d418b0d0b3b57740b4405"],
  [1, "e1975a2bedb2d0d9e186af13810d5114d9bf7688f40bd0f696e950a848e542e3"],
  [4095, "1efcd26edf27958e4d8ba4ec05c520d0581c4a1102ace2dd3fa2dce30ae7542d"],
  [4096, "e9e7ce8fd6220c8006f50db5fa1bff57d4d7f6e71d29e16ece6792906d605e3a"],
  [4097, "c3da477cd15b3e43ec3b1a002d50221c3ea3aac7f7f45fda0941b1acbcaab568"],
  [8192, "0f719631fdf989f05538f6f8016db4325876725ca981922f0fadd9f9265adf09"],
  // 128 × 4096 = 524288: level 1 is exactly one full block.
  [524288, "434ac01365c10d46f9ca53e2ff0118e886c4d1a2f40979871fcc085a6da773ff"],
  [524289, "475f84c4b8c619221737435e21954ec64c3466a14f1b27cf3dbc5dbc4a0929cf"],
  [1000000, "24c0e180dd69a2d5950d8866ff96600a674c84530a4bb35a4e8ed28514e941ec"],
  [MULTI_LEVEL_SIZE, "11340ce255e4bde2aae72a64106dc995a7b2302991ec336e3c5ca80327c41eac"],
];

/** The kernel's (`fsverity digest`) digest of an empty file: all-zero root hash, size 0. */
export const KERNEL_EMPTY_DIGEST =
  "3d248ca542a24fc62d1c43b916eae5016878e2533c88238480b26128a1f1af95";
