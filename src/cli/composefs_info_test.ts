import assert from "node:assert/strict";
import { buildImageFromDump } from "../../spec/image.ts";
import { runOurInfo } from "../../tests/_info_cli.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

const DUMP = [
  "/ 4096 40755 2 0 0 0 0.0 - - -",
  "/a 3 100644 1 0 0 0 0.0 - abc -",
  "/b 100 100644 1 0 0 0 0.0 12/3456789 - -",
  "/c 100 100644 1 0 0 0 0.0 ab/cde - -",
  "/d 4096 40755 2 0 0 0 0.0 - - -",
  "/d/e 100 100644 1 0 0 0 0.0 ab/cde - -",
  "/d/f 100 100644 1 0 0 0 0.0 ff/000 - -",
  "/l 3 120777 1 0 0 0 0.0 foo - -",
  "/x 100 100644 1 0 0 0 0.0 \\xff\\xfe - -",
  "",
].join("\n");

const USAGE =
  "usage: composefs-info [--basedir=path] [ls|objects|dump|missing-objects|measure-file] IMAGES...\n";

/** A temp folder with the test image (`img`), for the duration of `fn`. */
function withImage(fn: (dir: string, img: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "cfs-info-test-" });
  try {
    const img = `${dir}/img`;
    Deno.writeFileSync(img, buildImageFromDump(enc.encode(DUMP)));
    fn(dir, img);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("composefsInfo() reports usage errors as C does", () => {
  const cases: [string[], string, string][] = [
    [[], "", "No command specified\n" + USAGE],
    [["--help"], "Def\n", "composefs-info: unrecognized option '--help'\n" + USAGE],
    [["--bogus=1", "ls"], "Def\n", "composefs-info: unrecognized option '--bogus=1'\n" + USAGE],
    [
      ["ls", "--basedir"],
      "Def\n",
      "composefs-info: option '--basedir' requires an argument\n" + USAGE,
    ],
    [["-v"], "Def\n", "composefs-info: invalid option -- 'v'\n" + USAGE],
    [["frob", "x"], "", "composefs-info: Unknown command 'frob'\n\n"],
    [["ls"], "", "No image path specified\n" + USAGE],
    [["measure-file"], "", "No files specified\n" + USAGE],
    [
      ["--filter=a/b", "ls", "x"],
      "",
      "composefs-info: Filter must be a single name: a/b: Success\n",
    ],
    [["--json", "objects", "x"], "", "composefs-info: --json is only available for ls and dump\n"],
  ];
  for (const [args, stdout, stderr] of cases) {
    const r = runOurInfo(args);
    assert.deepEqual([r.code, dec.decode(r.stdout), r.stderr], [1, stdout, stderr], args.join(" "));
  }
});

Deno.test("composefsInfo() ls, objects and --filter print C's text", () => {
  withImage((_dir, img) => {
    assert.equal(
      dec.decode(runOurInfo(["ls", img]).stdout),
      "/a\n/b\t@ 12/3456789\n/c\t@ ab/cde\n/d/\t\n/d/e\t@ ab/cde\n/d/f\t@ ff/000\n" +
        "/l\t-> foo\n/x\t@ \\xff\\xfe\n",
    );
    const objects = runOurInfo(["objects", img, img]).stdout;
    assert.deepEqual(
      objects,
      new Uint8Array([...enc.encode("12/3456789\nab/cde\nff/000\n"), 0xff, 0xfe, 10]),
    );
    assert.equal(
      dec.decode(runOurInfo(["--filter=d", "--filter=l", "ls", img]).stdout),
      "/d/\t\n/d/e\t@ ab/cde\n/d/f\t@ ff/000\n/l\t-> foo\n",
    );
  });
});

Deno.test("composefsInfo() missing-objects stats DIR/payload, following symlinks", () => {
  withImage((dir, img) => {
    Deno.mkdirSync(`${dir}/store/ab`, { recursive: true });
    Deno.mkdirSync(`${dir}/store/ff`, { recursive: true });
    Deno.writeFileSync(`${dir}/store/ab/cde`, new Uint8Array(1));
    Deno.symlinkSync(`${dir}/nowhere`, `${dir}/store/ff/000`);
    const r = runOurInfo([`--basedir=${dir}/store`, "missing-objects", img]);
    assert.equal(r.code, 0);
    assert.deepEqual(
      r.stdout,
      new Uint8Array([...enc.encode("12/3456789\nff/000\n"), 0xff, 0xfe, 10]),
    );
    // Without --basedir C stats relative to fd 0, which is not a directory: all are missing.
    assert.deepEqual(
      runOurInfo(["missing-objects", img]).stdout,
      runOurInfo(["objects", img]).stdout,
    );
    const bad = runOurInfo([`--basedir=${dir}/none`, "missing-objects", img]);
    assert.equal(
      bad.stderr,
      `composefs-info: Can't open basedir \`${dir}/none\`\n: No such file or directory\n`,
    );
    const notDir = runOurInfo([`--basedir=${img}`, "dump", img]);
    assert.equal(
      notDir.stderr,
      `composefs-info: Can't open basedir \`${img}\`\n: Not a directory\n`,
    );
  });
});

Deno.test("composefsInfo() reports images it cannot open or read as C does", () => {
  withImage((dir, img) => {
    Deno.writeFileSync(`${dir}/small`, new Uint8Array(10));
    const cases: [string, string][] = [
      [`${dir}/none`, `composefs-info: Failed to open '${dir}/none': No such file or directory\n`],
      [dir, `composefs-info: Failed to load '${dir}': No such device\n`],
      [`${dir}/small`, `composefs-info: Failed to load '${dir}/small': Invalid argument\n`],
    ];
    for (const [path, stderr] of cases) {
      const r = runOurInfo(["dump", img, path]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, stderr);
      // The first image was printed before the second failed, as in C.
      assert.ok(dec.decode(r.stdout).startsWith("/ 4096 40755 3 "));
    }
  });
});

Deno.test("composefsInfo() measure-file prints C's digests, the empty-file quirk included", () => {
  withImage((dir) => {
    Deno.writeFileSync(`${dir}/empty`, new Uint8Array(0));
    Deno.writeFileSync(`${dir}/zero`, new Uint8Array(1));
    const r = runOurInfo(["measure-file", `${dir}/empty`, `${dir}/zero`]);
    assert.equal(r.code, 0);
    const [empty, zero] = dec.decode(r.stdout).split("\n");
    assert.equal(empty, "cfc3391077edfd51859f6e5e16e03f82b1da3ee1a35d418b0d0b3b57740b4405");
    assert.match(zero!, /^[0-9a-f]{64}$/);
    const d = runOurInfo(["measure-file", `${dir}/zero`, dir]);
    assert.equal(d.code, 1);
    assert.equal(d.stderr, `failed to measure '${dir}': No data available`);
    assert.equal(dec.decode(d.stdout), zero + "\n");
  });
});

Deno.test("composefsInfo() --json prints one parsable object per entry", () => {
  withImage((_dir, img) => {
    const lines = dec.decode(runOurInfo(["--json", "dump", img]).stdout).trimEnd().split("\n");
    const objs = lines.map((l) => JSON.parse(l));
    assert.equal(objs.length, 9);
    assert.deepEqual(objs[0].path, "/");
    assert.deepEqual(objs.find((o) => o.path === "/x").payload, { base64: "//4=" });
    assert.deepEqual(objs.find((o) => o.path === "/a").content, "abc");
    const ls = dec.decode(runOurInfo(["ls", "--json", img]).stdout).trimEnd().split("\n");
    assert.deepEqual(JSON.parse(ls[ls.length - 2]!), {
      path: "/l",
      type: "symlink",
      target: "foo",
    });
  });
});
