/**
 * The README's promise to a newcomer: in a fresh clone, its two commands succeed — the first
 * prints the digest the README shows, the second (`deno task test`) passes — and its library
 * example runs with no permission at all. The commands are read from the clone's README (the
 * `<!-- readme:… -->` markers), not retyped here.
 *
 * The clone is of the committed HEAD (uncommitted work is not in it). Inside the nested
 * `deno task test` the variable `CFS_README_TEST` is set, and this file is then ignored, so
 * the test does not recurse.
 */
import assert from "node:assert/strict";
import { markedBlock } from "./_readme.ts";
import { runShell } from "./_workspace.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);
const nested = Deno.env.get("CFS_README_TEST") !== undefined;

/** Clones this repository into a new empty folder; returns the clone's path. */
async function cloneRepository(): Promise<string> {
  const parent = await Deno.makeTempDir({ prefix: "cfs-ts-clone-" });
  const r = await runShell(`git clone --quiet '${ROOT}' '${parent}/cfs-ts'`, parent);
  assert.equal(r.code, 0, r.stderr);
  return `${parent}/cfs-ts`;
}

/** The last lines of a long output, for a failure message. */
function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}

Deno.test({
  name: "README: its two commands succeed in a fresh clone, and its library example runs",
  ignore: nested,
  async fn(t) {
    const clone = await cloneRepository();
    try {
      const readme = await Deno.readTextFile(`${clone}/README.md`);

      await t.step(
        "the first command builds the example and prints the README's digest",
        async () => {
          const command = markedBlock(readme, "command build");
          const r = await runShell(command, clone);
          assert.equal(r.code, 0, `${command}\n${r.stderr}`);
          assert.equal(r.stdout, markedBlock(readme, "output build"));
        },
      );

      await t.step("the library example runs with no permission", async () => {
        await Deno.writeTextFile(`${clone}/readme_example.ts`, markedBlock(readme, "library"));
        const r = await runShell("deno run --no-prompt readme_example.ts", clone);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^[0-9a-f]{64}\n/);
        assert.match(
          r.stdout,
          /^\/hello\.txt 6 100644 1 0 0 0 0\.0 - hello\\n - user\.greeting=yes$/m,
        );
      });

      await t.step("the second command, the test suite, passes", async () => {
        const command = markedBlock(readme, "command test");
        const r = await runShell(command, clone, { env: { CFS_README_TEST: "1" } });
        assert.equal(r.code, 0, `${command} failed:\n${tail(r.stdout + r.stderr)}`);
      });
    } finally {
      await Deno.remove(clone.replace(/\/cfs-ts$/, ""), { recursive: true });
    }
  },
});
