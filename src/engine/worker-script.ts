/**
 * A worker thread's script, `name`.js beside the module that starts it
 * (`moduleUrl`: its import.meta.url). Run from the TypeScript sources (the
 * tests), it is the built one all the same: Node cannot start a thread on a
 * .ts file.
 */
export function workerScript(name: string, moduleUrl: string): URL {
  const built = moduleUrl.endsWith('.ts') ? moduleUrl.replace(/\/src\/(?!.*\/src\/)/, '/dist/') : moduleUrl;
  return new URL(`./${name}.js`, built);
}
