import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { embeddingsDataset, makeDataset, seededRandom, sensorDataset } from './datasets.js'

describe('datasets', () => {
  it('have the layouts numpy gives the same dtypes', () => {
    const sensor = sensorDataset(10)
    const embeddings = embeddingsDataset(10)
    const script = `import numpy as np, json
sensor = np.dtype([('_key', 'i4'), ('temperature', 'f8'), ('humidity', 'f4'), ('pressure', 'f4'), ('status', 'u1')])
emb = np.dtype([('_key', 'i4'), ('emb', 'f4', (128,)), ('label', 'i4')])
print(json.dumps([[sensor.itemsize, str(sensor)], [emb.itemsize, str(emb)]]))`
    const out = spawnSync('python3', ['-c', script], { encoding: 'utf8' })
    if (out.status !== 0) throw new Error(out.stderr)
    expect(JSON.parse(out.stdout)).toEqual([
      [sensor.dtype.itemsize, sensor.dtype.toString()],
      [embeddings.dtype.itemsize, embeddings.dtype.toString()],
    ])
  })

  it('are the same on every run (seeded), keyed 0..n-1', () => {
    const a = sensorDataset(1000)
    const b = sensorDataset(1000)
    expect(a.data.bytes).toEqual(b.data.bytes)
    expect(Array.from((a.data.get('_key') as Int32Array).subarray(0, 3))).toEqual([0, 1, 2])
    expect(seededRandom(5)()).toBe(seededRandom(5)())
  })

  it('stamp every row with the run, in the bin read back to check it', () => {
    const sensor = makeDataset('sensor', 100, 'x')
    expect(sensor.set).toBe('x_sensor')
    const value = sensor.stamp(300)
    expect(value).toBe((300 % 255) + 1)
    expect(new Set(sensor.data.get('status') as Uint8Array)).toEqual(new Set([value]))
    const emb = makeDataset('embeddings', 10, 'x')
    expect(emb.set).toBe('x_embeddings')
    emb.stamp(6)
    expect(Array.from(emb.data.get('label') as Int32Array)).toEqual(new Array(10).fill(7))
  })
})
