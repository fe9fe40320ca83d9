/**
 * A worker thread's script: `path` (without .js) in the built output, dist/
 * — found from the module that starts it (`moduleUrl`: its import.meta.url),
 * which may be tsc's output, the command line's bundle (dist/cli-bundle),
 * or, in the tests, the TypeScript sources: Node cannot start a thread on a
 * .ts file, so a thread always runs tsc's output.
 */
export function workerScript(path: string, moduleUrl: string): URL {
  const at = Math.max(moduleUrl.lastIndexOf('/dist/'), moduleUrl.lastIndexOf('/src/'));
  if (at < 0) throw new Error(`${moduleUrl} is not in dist/ or src/`);
  return new URL(`${moduleUrl.slice(0, at)}/dist/${path}.js`);
}
