/**
 * Columns of `n` rows for `StructuredArray.fromColumns` (or `set`): each field's value made by
 * its function from the row number `from + i` (and `i`), so a test can check any row it reads back.
 * Plain arrays: dtype converts them (numbers into int64 fields, strings into `S` fields).
 */
export function rowColumns<K extends string>(
  n: number,
  makers: Readonly<Record<K, (row: number, i: number) => unknown>>,
  from = 0,
): Record<K, unknown[]> {
  const out = {} as Record<K, unknown[]>
  for (const name of Object.keys(makers) as K[]) {
    const make = makers[name]
    out[name] = Array.from({ length: n }, (_, i) => make(from + i, i))
  }
  return out
}
