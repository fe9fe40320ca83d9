/**
 * The one seeded source of randomness. Every random draw in the library goes
 * through a `Random`, so the same seed gives the same model, byte for byte.
 */
export class Random {
  private state_: number;

  constructor(seed: number) {
    // Scramble the seed so that nearby seeds (1, 2, 3) start far apart.
    this.state_ = hash32(seed >>> 0) | 0;
  }

  /** A generator for one purpose (e.g. "init", "shuffle") that does not disturb the others. */
  static stream(seed: number, purpose: string): Random {
    let h = seed >>> 0;
    for (let i = 0; i < purpose.length; i++) h = hash32(h ^ purpose.charCodeAt(i));
    return new Random(h);
  }

  /** The generator's whole state: saving it and setting it back resumes the same sequence. */
  get state(): number {
    return this.state_;
  }

  set state(value: number) {
    this.state_ = value | 0;
  }

  /** Uniform in [0, 1). mulberry32: tiny, fast, and good enough for weights and shuffles. */
  next(): number {
    this.state_ = (this.state_ + 0x6d2b79f5) | 0;
    let t = this.state_;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Standard normal, by Box–Muller. */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: keeps log finite
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher–Yates, in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

function hash32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
