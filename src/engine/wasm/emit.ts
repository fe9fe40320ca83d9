/**
 * A small WebAssembly byte emitter: just what the kernels use (i32/f64
 * scalars, 128-bit SIMD, loops, calls, one imported memory). Writing the bytes
 * ourselves keeps start-up at a few milliseconds and adds nothing to install;
 * a text assembler (wabt) is 5.5 MB and takes ~90 ms to load before it
 * assembles anything.
 */

export const enum Type {
  I32 = 0x7f,
  I64 = 0x7e,
  F64 = 0x7c,
  V128 = 0x7b,
}

/** SIMD opcodes (after the 0xfd prefix) that the kernels use. */
export const enum Simd {
  Load = 0x00,
  Load64Splat = 0x0a,
  Store = 0x0b,
  Const = 0x0c,
  Shuffle = 0x0d,
  I64x2Splat = 0x12,
  F64x2Splat = 0x14,
  F64x2ExtractLane = 0x21,
  F64x2Eq = 0x47,
  F64x2Ne = 0x48,
  F64x2Lt = 0x49,
  F64x2Gt = 0x4a,
  F64x2Le = 0x4b,
  F64x2Ge = 0x4c,
  And = 0x4e,
  AndNot = 0x4f,
  Or = 0x50,
  Xor = 0x51,
  Bitselect = 0x52,
  AnyTrue = 0x53,
  F64x2Trunc = 0x7a,
  I64x2AllTrue = 0xc3,
  I64x2Shl = 0xcb,
  I64x2ShrS = 0xcc,
  I64x2Add = 0xce,
  I64x2Sub = 0xd1,
  F64x2Abs = 0xec,
  F64x2Neg = 0xed,
  F64x2Add = 0xf0,
  F64x2Sub = 0xf1,
  F64x2Mul = 0xf2,
  F64x2Div = 0xf3,
  /** b < a ? b : a (no NaN or −0 rules: one instruction) */
  F64x2Pmin = 0xf6,
}

/**
 * Numbers splatted into both lanes, kept in a table in memory: one
 * `v128.load64_splat` each, where V8 builds a `v128.const` with several
 * instructions (the probe measured the table faster). Zero stays a constant.
 */
export class ConstantTable {
  static readonly BYTES = 1024;
  private readonly index = new Map<bigint, number>();
  readonly bits: bigint[] = [];

  constructor(readonly base: number) {}

  addressOf(bits: bigint): number {
    let at = this.index.get(bits);
    if (at === undefined) {
      at = this.bits.push(bits) - 1;
      if (at * 8 >= ConstantTable.BYTES) throw new Error('too many constants for the table');
      this.index.set(bits, at);
    }
    return this.base + at * 8;
  }

  /** Writes the table where the code reads it. */
  write(buffer: ArrayBuffer | SharedArrayBuffer): void {
    new BigInt64Array(buffer, this.base, this.bits.length).set(this.bits);
  }
}

/** Appends n (unsigned, below 2³²) as LEB128, the format's variable-length integers. */
function uleb(n: number, into: number[]): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    into.push(byte);
  } while (n !== 0);
}

/** One function's body, written instruction by instruction. */
export class Code {
  readonly bytes: number[] = [];

  constructor(private readonly table?: ConstantTable) {}

  private u32(n: number): this {
    uleb(n, this.bytes);
    return this;
  }

  /** A signed integer (i32 or i64 constant) as LEB128. */
  private signed(n: bigint): this {
    let v = BigInt.asIntN(64, n);
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
        this.bytes.push(byte);
        return this;
      }
      this.bytes.push(byte | 0x80);
    }
  }

  private memarg(align: number, offset: number): this {
    return this.u32(align).u32(offset);
  }

  get(local: number): this {
    this.bytes.push(0x20);
    return this.u32(local);
  }
  set(local: number): this {
    this.bytes.push(0x21);
    return this.u32(local);
  }
  tee(local: number): this {
    this.bytes.push(0x22);
    return this.u32(local);
  }
  /** local ← local + n, for an i32 local (an address or a count). */
  inc(local: number, n: number): this {
    return this.get(local).i32(n).op(I32.add).set(local);
  }
  i32(n: number): this {
    this.bytes.push(0x41);
    return this.signed(BigInt(n | 0));
  }
  f64(x: number): this {
    this.bytes.push(0x44, ...new Uint8Array(Float64Array.of(x).buffer));
    return this;
  }
  /** A v128 holding x in both lanes. */
  splat(x: number): this {
    return this.splatBits(new BigInt64Array(Float64Array.of(x).buffer)[0]!);
  }
  /** A v128 holding the 64-bit integer n in both lanes. */
  splatI64(n: number): this {
    return this.splatBits(BigInt(n));
  }
  private splatBits(bits: bigint): this {
    if (this.table && bits !== 0n) return this.i32(0).load64Splat(this.table.addressOf(bits));
    const lane = new Uint8Array(BigInt64Array.of(bits).buffer);
    this.simd(Simd.Const);
    this.bytes.push(...lane, ...lane);
    return this;
  }
  simd(op: Simd): this {
    this.bytes.push(0xfd);
    return this.u32(op);
  }
  /** SIMD ops with a lane immediate. */
  lane(op: Simd, lane: number): this {
    this.simd(op);
    this.bytes.push(lane);
    return this;
  }
  /** i8x16.shuffle: the bytes of a, then b, picked by `lanes`. */
  shuffle(lanes: readonly number[]): this {
    this.simd(Simd.Shuffle);
    this.bytes.push(...lanes);
    return this;
  }
  load(offset = 0): this {
    return this.simd(Simd.Load).memarg(4, offset);
  }
  store(offset = 0): this {
    return this.simd(Simd.Store).memarg(4, offset);
  }
  load64Splat(offset = 0): this {
    return this.simd(Simd.Load64Splat).memarg(3, offset);
  }
  f64Load(offset = 0): this {
    this.bytes.push(0x2b);
    return this.memarg(3, offset);
  }
  f64Store(offset = 0): this {
    this.bytes.push(0x39);
    return this.memarg(3, offset);
  }
  i32Load(offset = 0): this {
    this.bytes.push(0x28);
    return this.memarg(2, offset);
  }
  /** Plain (non-SIMD) opcodes: i32 arithmetic, f64 arithmetic, drop, select. */
  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }
  call(fn: number): this {
    this.bytes.push(0x10);
    return this.u32(fn);
  }
  /** memory.fill(address, byte, length), operands already pushed. */
  fill(): this {
    this.bytes.push(0xfc);
    return this.u32(11).u32(0);
  }
  /** i64.const n. */
  i64(n: bigint): this {
    this.bytes.push(0x42);
    return this.signed(n);
  }
  return(): this {
    this.bytes.push(0x0f);
    return this;
  }
  block(): this {
    this.bytes.push(0x02, 0x40);
    return this;
  }
  loop(): this {
    this.bytes.push(0x03, 0x40);
    return this;
  }
  if(): this {
    this.bytes.push(0x04, 0x40);
    return this;
  }
  else(): this {
    this.bytes.push(0x05);
    return this;
  }
  end(): this {
    this.bytes.push(0x0b);
    return this;
  }
  br(depth: number): this {
    this.bytes.push(0x0c);
    return this.u32(depth);
  }
  brIf(depth: number): this {
    this.bytes.push(0x0d);
    return this.u32(depth);
  }
}

/** i32 and f64 opcodes used with `Code.op`. */
export const I32 = {
  eqz: 0x45,
  ltS: 0x48,
  gtS: 0x4a,
  leS: 0x4c,
  geS: 0x4e,
  add: 0x6a,
  sub: 0x6b,
  mul: 0x6c,
  and: 0x71,
  eq: 0x46,
  or: 0x72,
  xor: 0x73,
  shl: 0x74,
  shrS: 0x75,
  shrU: 0x76,
  /** i32.wrap_i64 */
  wrap: 0xa7,
  /** select (any type): a if the i32 on top is non-zero, else b */
  select: 0x1b,
} as const;
export const F64 = {
  add: 0xa0,
  sub: 0xa1,
  mul: 0xa2,
  div: 0xa3,
  eq: 0x61,
  /** f64.convert_i32_s */
  fromI32: 0xb7,
  /** f64.reinterpret_i64 */
  fromBits: 0xbf,
} as const;
export const I64 = {
  and: 0x83,
  or: 0x84,
  shl: 0x86,
  shrU: 0x88,
  /** i64.extend_i32_u */
  fromU32: 0xad,
  /** i64.reinterpret_f64 */
  bitsOf: 0xbd,
} as const;

interface Func {
  type: number;
  locals: Type[];
  code: Code;
}

/** A module: one imported memory, functions, their exports. */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly typeBytes: number[][] = [];
  private readonly funcs: Func[] = [];
  private readonly imports: { name: string; type: number }[] = [];
  private readonly exports: [string, number][] = [];

  /** `table`: where the functions' splatted numbers live (none: v128.const). */
  constructor(private readonly table?: ConstantTable) {}

  private typeOf(params: Type[], results: Type[]): number {
    const sig = [0x60, params.length, ...params, results.length, ...results];
    const key = sig.join(',');
    let type = this.types.indexOf(key);
    if (type < 0) {
      type = this.types.push(key) - 1;
      this.typeBytes.push(sig);
    }
    return type;
  }

  /** A function imported from JavaScript as env.<name>; declare them all before any `func`. */
  importFunc(name: string, params: Type[], results: Type[]): number {
    if (this.funcs.length > 0) throw new Error('imports come before functions');
    return this.imports.push({ name, type: this.typeOf(params, results) }) - 1;
  }

  /** Declares a function; returns its index (for `call`) and its body to write. */
  func(params: Type[], results: Type[], locals: Type[] = []): { index: number; code: Code } {
    const code = new Code(this.table);
    this.funcs.push({ type: this.typeOf(params, results), locals, code });
    return { index: this.imports.length + this.funcs.length - 1, code };
  }

  export(name: string, index: number): void {
    this.exports.push([name, index]);
  }

  /**
   * The module's bytes; it imports its memory as env.memory with `pages`
   * pages (exactly that many, shared between threads, when `shared`), and the
   * functions as env.<name>.
   */
  bytes(pages: number, shared = false): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const u32 = uleb;
    const name = (s: string, into: number[]) => {
      const b = new TextEncoder().encode(s);
      u32(b.length, into);
      into.push(...b);
    };
    const section = (id: number, body: number[]) => {
      out.push(id);
      u32(body.length, out);
      for (const b of body) out.push(b);
    };
    const types: number[] = [];
    u32(this.typeBytes.length, types);
    for (const t of this.typeBytes) types.push(...t);
    section(1, types);

    const imports: number[] = [];
    u32(1 + this.imports.length, imports);
    for (const f of this.imports) {
      name('env', imports);
      name(f.name, imports);
      imports.push(0x00);
      u32(f.type, imports);
    }
    name('env', imports);
    name('memory', imports);
    imports.push(0x02, shared ? 0x03 : 0x00);
    u32(pages, imports);
    if (shared) u32(pages, imports);
    section(2, imports);

    const funcs: number[] = [];
    u32(this.funcs.length, funcs);
    for (const f of this.funcs) u32(f.type, funcs);
    section(3, funcs);

    const exports: number[] = [];
    u32(this.exports.length, exports);
    for (const [n, index] of this.exports) {
      name(n, exports);
      exports.push(0x00);
      u32(index, exports);
    }
    section(7, exports);

    const code: number[] = [];
    u32(this.funcs.length, code);
    for (const f of this.funcs) {
      const body: number[] = [];
      // Locals as runs of one type.
      const runs: [number, Type][] = [];
      for (const t of f.locals) {
        const last = runs[runs.length - 1];
        if (last && last[1] === t) last[0]++;
        else runs.push([1, t]);
      }
      u32(runs.length, body);
      for (const [count, t] of runs) {
        u32(count, body);
        body.push(t);
      }
      for (const b of f.code.bytes) body.push(b);
      body.push(0x0b);
      u32(body.length, code);
      for (const b of body) code.push(b);
    }
    section(10, code);
    return Uint8Array.from(out);
  }
}
