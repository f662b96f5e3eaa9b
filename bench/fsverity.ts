/**
 * fs-verity hashing speed against OpenSSL: MB/s of `FsVerityHasher` with `nodeSha256` over a
 * 256 MiB buffer (single thread), and `openssl speed -evp sha256 -bytes 4096 -seconds 3` in the
 * same run, once before and once after ours so that a change in machine load hits both; the ratio
 * uses their mean. The target is a ratio of at least 0.45.
 *
 * Run: `deno run --allow-run --allow-sys bench/fsverity.ts [MiB]`
 *
 * @module
 */
import { median } from "./_measure.ts";
import { FsVerityHasher } from "../spec/fsverity/merkle.ts";
import { nodeSha256 } from "../src/crypto/sha256.ts";

/** What {@link benchFsverity} measured; speeds in MB/s (10^6 bytes per second). */
export interface FsverityBenchResult {
  /** Bytes hashed per run. */
  size: number;
  /** One figure per run of our hasher. */
  oursMBps: number[];
  /** OpenSSL's SHA-256 on 4096-byte blocks, before and after ours; empty when it could not run. */
  opensslMBps: number[];
}

/** Fills `out` with a cheap deterministic pattern (xorshift32 words). */
function fillPattern(out: Uint8Array): void {
  const words = new Uint32Array(out.buffer, out.byteOffset, out.byteLength >>> 2);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
}

/** Hashes `data` once with a fresh hasher; returns MB/s. */
function timeOurs(data: Uint8Array): number {
  const start = performance.now();
  const h = new FsVerityHasher(nodeSha256);
  h.update(data);
  h.digest();
  const seconds = (performance.now() - start) / 1000;
  return data.length / seconds / 1e6;
}

/** Runs `openssl speed` and parses the 4096-byte column (in 1000s of bytes per second). */
async function timeOpenssl(seconds: number): Promise<number | undefined> {
  try {
    const out = await new Deno.Command("openssl", {
      args: ["speed", "-evp", "sha256", "-bytes", "4096", "-seconds", String(seconds)],
      stdout: "piped",
      stderr: "null",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    const m = /^sha256\s+([\d.]+)k\s*$/m.exec(text);
    return m ? Number(m[1]) / 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Measures our fs-verity hashing and OpenSSL's SHA-256 in the same run.
 *
 * @param mib Size of the buffer in MiB.
 * @param runs How many timed runs of ours (after one warm-up on 16 MiB).
 */
export async function benchFsverity(mib = 256, runs = 5): Promise<FsverityBenchResult> {
  const data = new Uint8Array(mib * 1024 * 1024);
  fillPattern(data);
  timeOurs(data.subarray(0, Math.min(data.length, 16 * 1024 * 1024)));
  const before = await timeOpenssl(3);
  const oursMBps: number[] = [];
  for (let i = 0; i < runs; i++) oursMBps.push(timeOurs(data));
  const after = await timeOpenssl(3);
  const opensslMBps = [before, after].filter((x): x is number => x !== undefined);
  return { size: data.length, oursMBps, opensslMBps };
}

if (import.meta.main) {
  const mib = Number(Deno.args[0] ?? 256);
  const r = await benchFsverity(mib);
  const best = Math.max(...r.oursMBps);
  const med = median(r.oursMBps);
  const fmt = (x: number) => x.toFixed(0).padStart(6);
  console.log(`fs-verity (FsVerityHasher + nodeSha256), ${mib} MiB, single thread`);
  console.log(`  runs      ${r.oursMBps.map(fmt).join(" ")} MB/s`);
  console.log(`  median    ${fmt(med)} MB/s   best ${fmt(best)} MB/s`);
  if (r.opensslMBps.length === 0) {
    console.log("openssl speed: not available");
  } else {
    const openssl = r.opensslMBps.reduce((a, b) => a + b, 0) / r.opensslMBps.length;
    console.log(
      `openssl speed -evp sha256 -bytes 4096: ${
        r.opensslMBps.map(fmt).join(" ")
      } MB/s (before, after)`,
    );
    console.log(
      `ratio     median ${(med / openssl).toFixed(3)}   best ${
        (best / openssl).toFixed(3)
      }   (target >= 0.45)`,
    );
  }
  console.log(`load average ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
}
