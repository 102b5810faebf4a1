/**
 * The checkpoint: which chunks of source rows have settled (every row written, or logged in the
 * dead-letter file), and what they counted. It is bound to one file and one mapping by a
 * fingerprint, and saved by write-then-rename, so a run killed at any moment leaves either the
 * previous checkpoint or the new one, never half of one.
 */
import { createHash } from 'node:crypto'
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs'
import { resolve } from 'node:path'
import { ParamError } from '@aerospike-numpy/core'

export const CHECKPOINT_FORMAT = 'aerospike-numpy-checkpoint'
const EDGE_BYTES = 1 << 16

export interface Fingerprint {
  file: string
  size: number
  mtimeMs: number
  /** sha256 of the first and last 64 KiB. */
  edges: string
  dtype: string
  keyField: string
  namespace: string
  set: string
  chunkRows: number
  nulls: string
}

export interface CheckpointCounts {
  written: number
  failed: number
  inDoubt: number
}

interface CheckpointFile extends CheckpointCounts {
  format: typeof CHECKPOINT_FORMAT
  version: 1
  fingerprint: Fingerprint
  /** Bitmap of settled chunks, base64. */
  done: string
  chunks: number
}

export function fileFingerprint(
  path: string,
): Pick<Fingerprint, 'file' | 'size' | 'mtimeMs' | 'edges'> {
  const st = statSync(path)
  const fd = openSync(path, 'r')
  try {
    const hash = createHash('sha256')
    const head = Buffer.alloc(Math.min(EDGE_BYTES, st.size))
    readSync(fd, head, 0, head.length, 0)
    hash.update(head)
    const tail = Buffer.alloc(Math.min(EDGE_BYTES, st.size))
    readSync(fd, tail, 0, tail.length, st.size - tail.length)
    hash.update(tail)
    return { file: resolve(path), size: st.size, mtimeMs: st.mtimeMs, edges: hash.digest('hex') }
  } finally {
    closeSync(fd)
  }
}

export class Checkpoint implements CheckpointCounts {
  written = 0
  failed = 0
  inDoubt = 0
  #done: Uint8Array = new Uint8Array(0)
  #dirty = false
  #lastSave = 0

  constructor(
    readonly path: string,
    readonly fingerprint: Fingerprint,
  ) {}

  /** The checkpoint at `path` for this fingerprint; a ParamError if it belongs to another run. */
  static load(path: string, fingerprint: Fingerprint): Checkpoint {
    const cp = new Checkpoint(path, fingerprint)
    if (!existsSync(path)) return cp
    let saved: CheckpointFile
    try {
      saved = JSON.parse(readFileSync(path, 'utf8')) as CheckpointFile
    } catch (error) {
      throw new ParamError(
        `--checkpoint ${path}: not a readable checkpoint (${(error as Error).message})`,
      )
    }
    if (saved.format !== CHECKPOINT_FORMAT || saved.version !== 1) {
      throw new ParamError(`--checkpoint ${path}: not a checkpoint of this tool`)
    }
    const differs = (Object.keys(fingerprint) as Array<keyof Fingerprint>).filter(
      (k) => saved.fingerprint[k] !== fingerprint[k],
    )
    if (differs.length > 0) {
      const what = differs.map(
        (k) =>
          `${k}: ${JSON.stringify(saved.fingerprint[k])} then, ${JSON.stringify(fingerprint[k])} now`,
      )
      throw new ParamError(
        `--checkpoint ${path} belongs to a different file or mapping (${what.join('; ')}); remove it to start over`,
      )
    }
    cp.#done = new Uint8Array(Buffer.from(saved.done, 'base64'))
    cp.written = saved.written
    cp.failed = saved.failed
    cp.inDoubt = saved.inDoubt
    return cp
  }

  isDone(chunk: number): boolean {
    const byte = chunk >> 3
    return byte < this.#done.length && ((this.#done[byte]! >> (chunk & 7)) & 1) === 1
  }

  /** Rows of settled chunks (all chunks are full but the last). */
  doneChunks(): number {
    let n = 0
    for (const b of this.#done) for (let v = b; v !== 0; v &= v - 1) n++
    return n
  }

  markDone(chunk: number, counts: CheckpointCounts): void {
    const byte = chunk >> 3
    if (byte >= this.#done.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.#done.length * 2))
      grown.set(this.#done)
      this.#done = grown
    }
    this.#done[byte]! |= 1 << (chunk & 7)
    this.written += counts.written
    this.failed += counts.failed
    this.inDoubt += counts.inDoubt
    this.#dirty = true
  }

  /** Save when something changed and `minIntervalMs` has passed since the last save. */
  save(minIntervalMs = 0): void {
    if (!this.#dirty) return
    const now = performance.now()
    if (now - this.#lastSave < minIntervalMs) return
    const body: CheckpointFile = {
      format: CHECKPOINT_FORMAT,
      version: 1,
      fingerprint: this.fingerprint,
      done: Buffer.from(this.#done).toString('base64'),
      chunks: this.doneChunks(),
      written: this.written,
      failed: this.failed,
      inDoubt: this.inDoubt,
    }
    const tmp = `${this.path}.tmp`
    const fd = openSync(tmp, 'w')
    try {
      writeSync(fd, JSON.stringify(body))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.path)
    this.#dirty = false
    this.#lastSave = now
  }
}
