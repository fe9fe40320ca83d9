/**
 * What a kernels module imports: its memory, and JavaScript's x ** k for a
 * power other than 2 (the only op the module does not compute itself; see
 * `Imports` in kernels.ts). Its own file, so that a helper thread loads only this.
 */
export function importsFor(memory: WebAssembly.Memory) {
  return { env: { memory, pow: Math.pow } };
}
