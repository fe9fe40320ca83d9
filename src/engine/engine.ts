/**
 * How a graph is evaluated. "wasm" compiles it to WebAssembly kernels (dense
 * layers as SIMD blocks); "js" lowers it to a tape replayed on typed arrays;
 * "graph" builds and walks `Value` objects for every row (the readable
 * reference). All three compute the same numbers.
 */
export type Engine = 'wasm' | 'js' | 'graph';
export const ENGINES: readonly Engine[] = ['wasm', 'js', 'graph'];
export const DEFAULT_ENGINE: Engine = 'wasm';

// The smallest module that uses a SIMD instruction: (func (result v128) v128.const 0).
const SIMD_PROBE = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b,
  0x03,
  0x02,
  0x01,
  0x00,
  0x0a,
  0x16,
  0x01,
  0x14,
  0x00,
  0xfd,
  0x0c,
  ...Array<number>(16).fill(0),
  0x0b,
]);

/** Whether this runtime has WebAssembly with 128-bit SIMD. */
export function hasWasmSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** The engine that will run: "wasm" becomes "js" where WebAssembly SIMD is missing. */
export function engineToRun(requested: Engine): Engine {
  return requested === 'wasm' && !hasWasmSimd() ? 'js' : requested;
}
