/**
 * The mkcomposefs command line: options, messages, exit codes, digests, and what is left on disk
 * after a failure. Compared with the C tool where `CFS_ORACLE` names it.
 */
import assert from "node:assert/strict";
import { oracleDir, sha256Hex } from "./_oracle.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const GOLDEN = new URL("../golden/", import.meta.url).pathname;
const oracle = oracleDir();
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Run {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

async function run(
  cmd: string,
  args: string[],
  options: { stdin?: Uint8Array; env?: Record<string, string>; cwd?: string } = {},
): Promise<Run> {
  const argv = cmd === "ours" ? ["run", "-A", CLI, ...args] : args;
  const child = new Deno.Command(cmd === "ours" ? Deno.execPath() : cmd, {
    args: argv,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    env: options.env ?? {},
    ...(options.cwd ? { cwd: options.cwd } : {}),
  }).spawn();
  if (options.stdin) {
    const w = child.stdin.getWriter();
    await w.write(options.stdin);
    await w.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: out.stdout, stderr: dec.decode(out.stderr) };
}

const EMPTY_ROOT = enc.encode("/ 4096 40755 2 0 0 0 0.0 - - -\n");
const EMPTY_ROOT_SHA = "c3dc5b0fc4afb0693a95e017fe5815e1f88f204d485df617541b5ea659aefb8b";
const EMPTY_ROOT_VERITY = "8f589e8f57ecb88823736b0d857ddca1e1068a23e264fad164b28f7038eb3682";

Deno.test("mkcomposefs writes the image and --print-digest prints its fs-verity digest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/in.dump`, EMPTY_ROOT);
    const r = await run("ours", [
      "--from-file",
      "--print-digest",
      `${dir}/in.dump`,
      `${dir}/out.img`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dec.decode(r.stdout), EMPTY_ROOT_VERITY + "\n");
    assert.equal(sha256Hex(await Deno.readFile(`${dir}/out.img`)), EMPTY_ROOT_SHA);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["in.dump", "out.img"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mkcomposefs reads stdin and writes stdout with `-`", async () => {
  const r = await run("ours", ["--from-file", "-", "-"], { stdin: EMPTY_ROOT });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sha256Hex(r.stdout), EMPTY_ROOT_SHA);
  const d = await run("ours", ["--from-file", "--print-digest-only", "-"], { stdin: EMPTY_ROOT });
  assert.equal(dec.decode(d.stdout), EMPTY_ROOT_VERITY + "\n");
});

Deno.test("mkcomposefs --version=N is the man page's name for --min-version", async () => {
  const v1 = await run("ours", ["--from-file", "--print-digest-only", "--version=1", "-"], {
    stdin: EMPTY_ROOT,
  });
  const m1 = await run("ours", ["--from-file", "--print-digest-only", "--min-version", "1", "-"], {
    stdin: EMPTY_ROOT,
  });
  assert.equal(v1.code, 0, v1.stderr);
  assert.equal(dec.decode(v1.stdout), dec.decode(m1.stdout));
  assert.notEqual(dec.decode(v1.stdout), EMPTY_ROOT_VERITY + "\n");
});

Deno.test("mkcomposefs accepts getopt_long prefixes and options after operands", async () => {
  const r = await run("ours", ["-", "--print-digest-o", "--from"], { stdin: EMPTY_ROOT });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(dec.decode(r.stdout), EMPTY_ROOT_VERITY + "\n");
});

Deno.test("mkcomposefs leaves nothing behind when the input is bad", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(
      `${dir}/bad.dump`,
      enc.encode("/ 0 40755 2 0 0 0 0.0\n/x 0 644 1 0 0 0 0.0\n"),
    );
    await Deno.writeFile(`${dir}/keep.img`, enc.encode("old"));
    const r = await run("ours", ["--from-file", `${dir}/bad.dump`, `${dir}/new.img`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^mkcomposefs: .*bad\.dump: line 2: Invalid mode 644 \(\/x\)\n$/);
    const r2 = await run("ours", ["--from-file", `${dir}/bad.dump`, `${dir}/keep.img`]);
    assert.equal(r2.code, 1);
    assert.equal(dec.decode(await Deno.readFile(`${dir}/keep.img`)), "old");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "bad.dump",
      "keep.img",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mkcomposefs errors are one line with exit code 1", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["--from-file", "/nonexistent/x.dump", "/tmp/x.img"],
      /^mkcomposefs: open `\/nonexistent\/x.dump`: No such file or directory\n$/,
    ],
    [
      ["--from-file", "--max-version=2", "-", "-"],
      /^mkcomposefs: cannot write file: Invalid argument/,
    ],
    [["--threads=0", "a", "b"], /^Invalid threads count 0\n$/],
    [["--min-version=x", "a", "b"], /^Invalid min version x\n$/],
    [["--digest-store"], /^option needs a value\n$/],
    [["--from-file", ""], /^mkcomposefs: Empty source path specified\n$/],
  ];
  for (const [args, want] of cases) {
    const r = await run("ours", args, { stdin: EMPTY_ROOT });
    assert.equal(r.code, 1, args.join(" "));
    assert.match(r.stderr, want, args.join(" "));
    assert.equal(r.stderr.split("\n").length, 2, `one line for ${args.join(" ")}: ${r.stderr}`);
  }
});

Deno.test("mkcomposefs writes to an open descriptor given as /proc/self/fd/N", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sh =
      `exec 3>"${dir}/fd.img"; "${Deno.execPath()}" run -A "${CLI}" --from-file - /proc/self/fd/3`;
    const r = await run("sh", ["-c", sh], { stdin: EMPTY_ROOT });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sha256Hex(await Deno.readFile(`${dir}/fd.img`)), EMPTY_ROOT_SHA);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "mkcomposefs usage errors match the C tool",
  ignore: !oracle,
  async fn() {
    const argsList = [
      [],
      ["a"],
      ["a", "b", "c"],
      ["--print-digest-only", "a", "b"],
      ["--bogus", "a", "b"],
      ["--use-epoch=3", "a", "b"],
      ["--print", "a", "b"],
      ["-C", "a", "b"],
      ["--threads=-2", "a", "b"],
      ["--max-version= 7x", "a", "b"],
    ];
    for (const args of argsList) {
      const c = await run(`${oracle}/mkcomposefs`, args);
      const o = await run("ours", args);
      assert.equal(o.code, c.code, args.join(" "));
      // Our usage text adds lines for our own options; compare up to C's last line.
      const cLines = c.stderr.split("\n").filter((l) => !l.startsWith("  --threads"));
      const oLines = o.stderr.split("\n").filter((l) => !l.startsWith("  --threads"));
      for (const line of cLines) assert.ok(oLines.includes(line), `${args.join(" ")}: ${line}`);
    }
  },
});

Deno.test({
  name: "mkcomposefs --print-digest output matches the C tool on every golden dump",
  ignore: !oracle,
  async fn() {
    let n = 0;
    for (const e of Deno.readDirSync(GOLDEN)) {
      if (!e.name.endsWith(".dump") || n++ > 40) continue;
      const dump = await Deno.readFile(GOLDEN + e.name);
      const c = await run(`${oracle}/mkcomposefs`, ["--from-file", "--print-digest-only", "-"], {
        stdin: dump,
      });
      const o = await run("ours", ["--from-file", "--print-digest-only", "-"], { stdin: dump });
      assert.equal(o.code, c.code, e.name);
      assert.equal(dec.decode(o.stdout), dec.decode(c.stdout), e.name);
    }
  },
});
