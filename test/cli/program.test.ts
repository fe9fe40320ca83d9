import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// What `autograd --help` loads: the modules the program imports statically
// (commands are imported when they run). The WebAssembly engine must not be
// among them: `--help` should not pay for it.

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Relative modules a file imports at load time (not `import type`, not `import()`). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'(\.[^']+)'/gm)) {
    found.push(join(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  }
  return found;
}

/** `entry` and every file it reaches through `imports`. */
function reached(entry: string, imports: (file: string) => string[]): string[] {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    todo.push(...imports(file));
  }
  return [...seen];
}

function loadedBy(entry: string): Set<string> {
  return new Set(reached(entry, staticImports).map((f) => relative(SRC, f)));
}

describe('what the command line loads before a command runs', () => {
  it('does not load the WebAssembly engine (its emitter, kernels or math)', () => {
    const loaded = loadedBy(join(SRC, 'cli/program.ts'));
    expect(loaded).toContain('engine/engine.ts'); // the walk does follow imports
    expect([...loaded].filter((f) => f.startsWith('engine/wasm/'))).toEqual([]);
  });

  it('the walk finds the engine from a command that trains (a check on the check)', () => {
    const loaded = loadedBy(join(SRC, 'cli/commands/train.ts'));
    expect(loaded).toContain('engine/wasm/kernels.ts');
  });

  it('nor does the bundle the command runs (dist/cli-bundle): the chunks its entry loads hold none of it', () => {
    const dir = join(SRC, '../dist/cli-bundle');
    expect(existsSync(join(dir, 'main.js'))).toBe(true);
    const text = (file: string) => readFileSync(join(dir, file), 'utf8');
    /** The chunks `entry` loads at load time, itself included. */
    const loadedWith = (entry: string) =>
      reached(entry, (file) =>
        [...text(file).matchAll(/^(?:import|export)\b[^;]*?["']\.\/([^"']+)["'];/gm)].map((m) => m[1]!),
      );
    const wasm = (files: string[]) => files.filter((f) => text(f).includes('F64x2Mul'));
    expect(loadedWith('main.js').length).toBeGreaterThan(1); // the walk follows imports
    expect(wasm(loadedWith('main.js'))).toEqual([]);
    // a command that trains does load it (a check on the check)
    const train = readdirSync(dir).find((f) => f.startsWith('train-'))!;
    expect(wasm(loadedWith(train)).length).toBeGreaterThan(0);
  });
});
