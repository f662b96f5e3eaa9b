import assert from "node:assert/strict";
import { fakeProgressSink } from "../fs/_fake_progress_sink.ts";
import { StoreProgress } from "./store_progress.ts";

const TOTAL = { files: 100, bytes: 100 << 20 };

Deno.test("StoreProgress draws nothing when stderr is not a terminal", () => {
  const sink = fakeProgressSink(false);
  const p = new StoreProgress(true, TOTAL, sink);
  sink.t = 5000;
  p.update({ files: 10, bytes: 1 << 20 });
  p.finish();
  assert.deepEqual(sink.out, []);
});

Deno.test("StoreProgress waits a second, redraws at most every 200 ms and erases at the end", () => {
  const sink = fakeProgressSink(true);
  const p = new StoreProgress(true, TOTAL, sink);
  sink.t = 500;
  p.update({ files: 1, bytes: 1 << 20 });
  assert.deepEqual(sink.out, []);
  sink.t = 2000;
  p.update({ files: 50, bytes: 50 << 20 });
  sink.t = 2100;
  p.update({ files: 51, bytes: 51 << 20 });
  assert.deepEqual(sink.out, [
    "\r\x1b[Kstore: 50/100 objects, 50.0 MiB/100.0 MiB, 25.0 MiB/s, 2s left",
  ]);
  p.finish();
  assert.equal(sink.out.at(-1), "\r\x1b[K");
});
