import { AsyncClient } from '@aerospike-numpy/async'
import { sensorRows, sensorDtype } from './dist/engines.js'
const c = await new AsyncClient({ hosts: '127.0.0.1:3400', engine: 'wire' }).connect()
const data = sensorRows(200000)
for (let k = 0; k < 2; k++) {
const t0 = performance.now()
const r = await c.writeNumpy(data, 'test', 'dbg' + k, sensorDtype, { chunkSize: 5000, concurrency: 4, policy: { totalTimeout: 30000, socketTimeout: 30000 } })
console.log(performance.now() - t0, r.failedCount, [...r.countByResult()], r.failures.slice(0, 2).map(f => f.result))
}
await c.close()
