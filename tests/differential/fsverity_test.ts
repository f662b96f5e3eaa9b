/**
 * Differential: our fs-verity digest against C `composefs-info measure-file` on files of random
 * sizes. Ignored unless `CFS_ORACLE` is set.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { toHex } from "../../spec/bytes/compare.ts";
import { fsverityDigest } from "../../spec/fsverity/merkle.ts";
import { sha256Js } from "../../spec/fsverity/sha256.ts";
import { patternBytes } from "../../spec/fsverity/_test_data.ts";
import { nodeSha256 } from "../../src/crypto/sha256.ts";
import { oracleDir } from "../_oracle.ts";

const oracle = oracleDir();

/** `composefs-info measure-file FILE` from the oracle, as hex. */
async function measureFile(path: string): Promise<string> {
  const out = await new Deno.Command(`${oracle}/composefs-info`, {
    args: ["measure-file", path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test({
  name: "fsverityDigest() equals composefs-info measure-file on random sizes",
  ignore: !oracle,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cfs-fsverity-" });
    try {
      const path = `${dir}/file`;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.integer({ min: 0, max: 3 * 4096 }),
            fc.integer({ min: 127 * 4096, max: 260 * 4096 }),
            fc.integer({ min: 0, max: 4 * 1024 * 1024 }),
          ),
          fc.integer(),
          async (size, seed) => {
            const data = patternBytes(size, seed);
            await Deno.writeFile(path, data);
            const theirs = await measureFile(path);
            const options = { emptyInputQuirk: true };
            assert.equal(toHex(fsverityDigest(data, nodeSha256, options)), theirs, `size ${size}`);
            if (size <= 1 << 20) {
              assert.equal(toHex(fsverityDigest(data, sha256Js, options)), theirs, `size ${size}`);
            }
          },
        ),
        { seed: 0xf5, numRuns: 12 },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
