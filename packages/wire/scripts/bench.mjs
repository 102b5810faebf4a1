// Codec throughput on this machine: node scripts/bench.mjs (after `pnpm build`). Not a test.
import { performance } from 'node:perf_hooks'
import { TextEncoder } from 'node:util'
import {
  BatchRequestCursor,
  BatchRequestWriter,
  BatchResponseDecoder,
  BatchResponseWriter,
  decodeBatchRequest,
  keyDigest,
  MessageWriter,
} from '../dist/index.js'

const N = 100_000
const rate = (rows, t0) =>
  `${Math.round(rows / ((performance.now() - t0) / 1000)).toLocaleString('en')} rows/s`
const digests = Array.from({ length: N }, (_, i) => keyDigest('s', i))
const bin = new TextEncoder().encode('v')

for (let round = 1; round <= 3; round++) {
  let t0 = performance.now()
  const w = new MessageWriter(1 << 20)
  const req = new BatchRequestWriter(w, { timeout: 1000 })
  for (let i = 0; i < N; i++) {
    req.beginRow(
      i,
      digests[i],
      { info1: 0, info2: 0x81, info3: 0, generation: 0, ttl: 0 },
      'test',
      's',
    )
    w.opHeader(2, 1, bin, 8)
    w.view.setFloat64(w.length, i)
    w.skip(8)
    req.endRow(0, 1)
  }
  const frame = req.end()
  const encodeReq = rate(N, t0)
  t0 = performance.now()
  const decoded = decodeBatchRequest(frame, 8)
  const decodeReq = rate(decoded.rows.length, t0)
  t0 = performance.now()
  const cursor = new BatchRequestCursor(frame, 8)
  let walked = 0
  while (cursor.next()) walked += cursor.ops.length
  const cursorReq = rate(walked, t0)

  t0 = performance.now()
  const out = new BatchResponseWriter(new MessageWriter(1 << 20))
  for (let i = 0; i < N; i++) {
    out.beginRow(i, 0, 1, 0)
    out.writer.op(2, 0, bin)
    out.endRow(1)
  }
  const stream = out.last(0)
  const encodeResp = rate(N, t0)
  t0 = performance.now()
  const decoder = new BatchResponseDecoder({ batchSize: N })
  let rows = 0
  for (let at = 0; at < stream.length; at += 65536)
    rows += decoder.push(stream.subarray(at, at + 65536)).length
  const decodeResp = rate(rows, t0)
  console.log(
    `round ${round}: request encode ${encodeReq} (${frame.length} B), decode ${decodeReq}, ` +
      `cursor ${cursorReq}; ` +
      `response encode ${encodeResp} (${stream.length} B), decode in 64 KiB chunks ${decodeResp}`,
  )
}
