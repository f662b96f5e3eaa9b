import assert from "node:assert/strict";
import {
  describeNotCapable,
  MissingPermissionError,
  missingPermissionFlags,
  parentDir,
} from "./permissions.ts";

Deno.test("parentDir() is the folder a new file goes into, as typed", () => {
  assert.equal(parentDir("image.cfs"), ".");
  assert.equal(parentDir("out/image.cfs"), "out");
  assert.equal(parentDir("a/b/c"), "a/b");
  assert.equal(parentDir("/image.cfs"), "/");
  assert.equal(parentDir("/tmp/x/image.cfs"), "/tmp/x");
  assert.equal(parentDir("out/dir/"), "out");
});

Deno.test("describeNotCapable() names the flag and the path to add", () => {
  assert.equal(
    describeNotCapable('Requires read access to "in.dump", run again with the --allow-read flag'),
    "missing Deno permission: run deno with --allow-read=in.dump",
  );
  assert.equal(
    describeNotCapable('Requires write access to "/tmp/o", run again with the --allow-write flag'),
    "missing Deno permission: run deno with --allow-write=/tmp/o",
  );
  assert.equal(
    describeNotCapable("Requires ffi access, run again with the --allow-ffi flag"),
    "missing Deno permission: run deno with --allow-ffi",
  );
});

Deno.test("describeNotCapable() explains /proc/self/fd/N and points at stdout", () => {
  const text = describeNotCapable(
    'Requires all access to "/proc/self/fd/3", run again with the --allow-all flag',
  );
  assert.match(text, /^Deno opens \/proc\/self\/fd\/3 only with --allow-all/);
  assert.match(text, /write the image to - \(stdout\)/);
  assert.equal(
    describeNotCapable('Requires all access to "/dev/mem", run again with the --allow-all flag'),
    "Deno needs --allow-all to open /dev/mem",
  );
  assert.equal(describeNotCapable("something else"), "something else");
});

Deno.test("missingPermissionFlags() is empty for what the test runner grants", () => {
  // deno task test grants --allow-read, --allow-write and --allow-ffi globally.
  const flags = missingPermissionFlags({
    read: ["in.dump", "."],
    write: ["."],
    ffi: true,
    optional: [],
  });
  assert.deepEqual(flags, []);
});

Deno.test("MissingPermissionError lists the flags in one line", () => {
  const e = new MissingPermissionError(["--allow-read=in.dump,out", "--allow-write=out"]);
  assert.equal(
    e.message,
    "missing Deno permissions: run deno with --allow-read=in.dump,out --allow-write=out",
  );
  assert.deepEqual(e.flags, ["--allow-read=in.dump,out", "--allow-write=out"]);
});

Deno.test("revokeAllBut() leaves only the kinds asked for", async () => {
  const code = `import { revokeAllBut } from ${
    JSON.stringify(new URL("./permissions.ts", import.meta.url).href)
  };
revokeAllBut(["read"]);
const kinds = ["read", "write", "ffi", "env", "net", "run", "sys", "import"] as const;
console.log(kinds.filter((name) => Deno.permissions.querySync({ name }).state === "granted").join(" "));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-prompt", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(
    new TextDecoder().decode(out.stdout).trim(),
    "read",
    new TextDecoder().decode(out.stderr),
  );
});
