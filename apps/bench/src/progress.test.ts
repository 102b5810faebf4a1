import { describe, expect, it } from 'vitest'
import { Progress } from './progress.js'

function stream(isTTY: boolean): {
  isTTY: boolean
  columns: number
  out: string[]
  write(t: string): boolean
} {
  const out: string[] = []
  return { isTTY, columns: 60, out, write: (t: string) => (out.push(t), true) }
}

describe('Progress', () => {
  it('draws nothing but the logged lines when not on a TTY', () => {
    const s = stream(false)
    const progress = new Progress(s, 10)
    progress.setLabel('matrix')
    progress.advance(5)
    progress.log('a line')
    progress.finish()
    expect(s.out).toEqual(['a line\n'])
  })

  it('draws a bar on a TTY, throttled, and clears it before lines and at the end', () => {
    let now = 0
    const s = stream(true)
    const progress = new Progress(s, 10, () => now)
    progress.setLabel('run')
    expect(s.out.at(-1)).toContain('[' + '.'.repeat(20) + ']   0% run')
    progress.advance(5)
    expect(s.out).toHaveLength(1)
    now = 200
    progress.advance(0)
    expect(s.out.at(-1)).toContain('#'.repeat(10) + '.'.repeat(10) + ']  50% run')
    progress.log('done')
    expect(s.out.slice(-3, -1)).toEqual(['\r\x1b[2K', 'done\n'])
    progress.finish()
    expect(s.out.at(-1)).toBe('\r\x1b[2K')
  })

  it('draws a bar when the terminal reports 0 columns', () => {
    const s = stream(true)
    s.columns = 0
    new Progress(s, 2).setLabel('run')
    expect(s.out.at(-1)).toBe('\r\x1b[2K[' + '.'.repeat(30) + ']   0% run')
  })

  it('never passes 100% or the terminal width', () => {
    const progress = new Progress(stream(true), 1)
    progress.advance(5)
    progress.setLabel('x'.repeat(200))
    expect(progress.render(40)).toHaveLength(39)
    expect(progress.render(100)).toContain('100%')
  })
})
