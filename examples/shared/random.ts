// numpy.random's normal/uniform/randint, enough for the examples' made-up data.

export function uniform(low: number, high: number): number {
  return low + (high - low) * Math.random()
}

/** Box–Muller. */
export function normal(mean: number, sd: number): number {
  const u = 1 - Math.random()
  const v = Math.random()
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** An integer in [low, high). */
export function randint(low: number, high: number): number {
  return low + Math.floor(Math.random() * (high - low))
}
