/**
 * A pure-JavaScript SHA-256 (FIPS 180-4), so `spec/` hashes in any JS runtime (a browser, a
 * worker) without `node:crypto`. `src/crypto/sha256.ts` has the fast native adapter.
 *
 * @module
 */

import type { Sha256 } from "./merkle.ts";

/** FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = new Int32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

/** FIPS 180-4 §5.3.3: the initial hash value H(0). */
const H0 = new Int32Array([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
]);

/** SHA-256 works on 64-byte blocks. */
const BLOCK = 64;

// Scratch reused by every call: the state, the message schedule and the padded tail. Hashing is synchronous
// and nothing escapes, so sharing them is safe and spares an allocation per 4096-byte fs-verity block.
const STATE = new Int32Array(8);
const W = new Int32Array(64);
const TAIL = new Uint8Array(2 * BLOCK);

/** Runs the compression function over `n` whole blocks of `m` starting at `at`, updating `h`. */
function compress(h: Int32Array, m: Uint8Array, at: number, n: number): void {
  let h0 = h[0]!, h1 = h[1]!, h2 = h[2]!, h3 = h[3]!;
  let h4 = h[4]!, h5 = h[5]!, h6 = h[6]!, h7 = h[7]!;
  for (let block = 0; block < n; block++, at += BLOCK) {
    for (let t = 0; t < 16; t++) {
      const i = at + 4 * t;
      W[t] = (m[i]! << 24) | (m[i + 1]! << 16) | (m[i + 2]! << 8) | m[i + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const x = W[t - 15]!, y = W[t - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[t]! + W[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + hh) | 0;
  }
  h[0] = h0;
  h[1] = h1;
  h[2] = h2;
  h[3] = h3;
  h[4] = h4;
  h[5] = h5;
  h[6] = h6;
  h[7] = h7;
}

/**
 * SHA-256 of `data` in pure JavaScript: one 32-byte digest, a new array per call.
 *
 * Inputs up to 2^53 − 1 bytes (any JS array) are supported.
 *
 * @param data The bytes to hash; not modified.
 * @returns The 32-byte digest.
 *
 * @example Hash "abc" (FIPS 180-4 example)
 * ```ts
 * import { sha256Js } from "./sha256.ts";
 * import assert from "node:assert/strict";
 * const d = sha256Js(new TextEncoder().encode("abc"));
 * assert.equal(d[0], 0xba);
 * assert.equal(d[31], 0xad);
 * ```
 */
export const sha256Js: Sha256 = function sha256Js(data: Uint8Array): Uint8Array {
  const h = STATE;
  h.set(H0);
  const whole = Math.floor(data.length / BLOCK);
  compress(h, data, 0, whole);

  // Padding (§5.1.1): 0x80, zeros, then the message length in bits as a big-endian u64.
  const rest = data.length - whole * BLOCK;
  const tailBlocks = rest + 9 <= BLOCK ? 1 : 2;
  const tail = TAIL.subarray(0, tailBlocks * BLOCK);
  tail.fill(0);
  tail.set(data.subarray(whole * BLOCK), 0);
  tail[rest] = 0x80;
  const bits = data.length * 8;
  const end = tail.length;
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  tail[end - 8] = hi >>> 24;
  tail[end - 7] = hi >>> 16;
  tail[end - 6] = hi >>> 8;
  tail[end - 5] = hi;
  tail[end - 4] = lo >>> 24;
  tail[end - 3] = lo >>> 16;
  tail[end - 2] = lo >>> 8;
  tail[end - 1] = lo;
  compress(h, tail, 0, tailBlocks);

  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = h[i]!;
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = v >>> 16;
    out[4 * i + 2] = v >>> 8;
    out[4 * i + 3] = v;
  }
  return out;
};
