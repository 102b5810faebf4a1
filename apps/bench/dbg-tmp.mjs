import { AsyncClient } from '@aerospike-numpy/async'
import { dtype, StructuredArray } from '@aerospike-numpy/dtype'
const c = await new AsyncClient({ hosts: '127.0.0.1:40813', log: { level: -1 } }).connect()
const dt = dtype([['_key', 'i4'], ['temperature', 'f8'], ['humidity', 'f4'], ['pressure', 'f4'], ['status', 'u1']])
const n = 50000
const d = StructuredArray.zeros(dt, n); d.set('_key', Int32Array.from({length: n}, (_, i) => i))
for (const set of ['a1', 'a2']) {
const r = await c.writeNumpy(d, 'test', set, dt, { policy: { totalTimeout: 30000, socketTimeout: 30000 } })
console.log(r.countByResult(), r.failures.slice(0, 1))
}
await c.close()
