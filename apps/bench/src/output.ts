// Files of a run: `<out-dir>/<timestamp>.json` and `.svg`, plus --json's copy.

import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderChart } from './chart.js'
import type { BenchReport } from './report.js'

/** `<repo>/bench-results`, found from this file (apps/bench/{src,dist}/), whatever the cwd. */
export function defaultOutDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bench-results')
}

/** `2026-11-26T00-12-34Z`: sortable, and valid in file names everywhere. */
export function timestampName(date: Date): string {
  return date
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z')
}

export async function writeOutputs(
  report: BenchReport,
  outDir: string,
  jsonPath: string | null,
): Promise<string[]> {
  await mkdir(outDir, { recursive: true })
  const base = path.join(outDir, timestampName(new Date(report.startedAt)))
  const json = JSON.stringify(report, null, 2) + '\n'
  const written = [`${base}.json`, `${base}.svg`]
  await writeFile(`${base}.json`, json)
  await writeFile(`${base}.svg`, renderChart(report))
  if (jsonPath !== null) {
    await writeFile(jsonPath, json)
    written.push(jsonPath)
  }
  return written
}
