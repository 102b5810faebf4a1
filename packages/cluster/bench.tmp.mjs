import { startDevServer } from '@aerospike-numpy/devserver'
import { Cluster, batchWrite } from '@aerospike-numpy/cluster'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
import { compileWritePlan, resolveWritePolicy, createWriteOutcome, allRows } from '@aerospike-numpy/core'
const server = process.env.HOSTS ? { hosts: process.env.HOSTS, stop: async () => {} } : await startDevServer({ nodes: 1 })
const cluster = await Cluster.connect({ hosts: server.hosts })
const dt = dtype([['_key', 'i4'], ['temperature', 'f8'], ['humidity', 'f4'], ['pressure', 'f4'], ['status', 'u1']])
const N = 200000, CH = Number(process.argv[2] ?? 1000), INF = Number(process.argv[3] ?? 4)
const data = StructuredArray.zeros(dt, N)
data.set('_key', Int32Array.from({length:N}, (_, i) => i))
const plan = compileWritePlan(dt)
const policy = resolveWritePolicy({ totalTimeout: 30000 })
async function run() {
  const outcome = createWriteOutcome(N)
  let next = 0
  const t0 = performance.now(), c0 = process.cpuUsage()
  await Promise.all(Array.from({length: INF}, async () => {
    while (next < N) { const s = next; next += CH; const e = Math.min(N, s + CH)
      await batchWrite(cluster, { plan, data: data.slice(s, e), rows: allRows(e - s), namespace: 'test', set: 'bench', policy, outcome: { resultCodes: outcome.resultCodes.subarray(s, e), generations: outcome.generations.subarray(s, e), ttls: outcome.ttls.subarray(s, e), inDoubt: outcome.inDoubt.subarray(s, e) } }) }
  }))
  const ms = performance.now() - t0, cpu = process.cpuUsage(c0)
  const bad = outcome.resultCodes.filter(c => c !== 0).length
  console.log(`chunk ${CH} inflight ${INF}: ${(N / ms * 1000).toFixed(0)} rows/s, cpu ${((cpu.user + cpu.system) / N).toFixed(2)} us/row, failed ${bad}`)
}
await run(); await run(); await run()
await cluster.close(); await server.stop()
