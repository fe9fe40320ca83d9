import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, ROOT } from './helpers/cli.js';
import { EXAMPLE, plainCommand, runExamples, withoutTimes } from '../docs/examples.js';

// Every "generated" block in the docs must be exactly what its command prints now
// (`npm run docs` rewrites them; docs/generate.js uses the same form).
const BLOCK = /<!-- generated: autograd ([^>]*?) -->\n\n```(\w+)\n([\s\S]*?)```/g;
const documents = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const blocks = documents.flatMap((doc) =>
  [...readFileSync(join(ROOT, doc), 'utf8').matchAll(BLOCK)].map((m) => [doc, m[1]!, m[3]!] as const),
);

describe('generated documentation', () => {
  it('has the seed diagrams in the README and in docs/', async () => {
    const commands = blocks.map(([doc, args]) => `${doc}: ${args}`);
    expect(commands).toContain('README.md: graph --example seed --view forward');
    expect(commands).toContain('README.md: graph --example seed --view backward');
    expect(commands).toContain('docs/seed-example.md: explain --example seed');
  });

  it.each(blocks)('%s: `autograd %s` prints what is committed', async (_doc, args, committed) => {
    const r = await run(args.split(' '));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(committed);
  });
});

describe("the README's examples", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('run in this process when they are plain autograd commands, in bash otherwise', () => {
    expect(plainCommand("autograd tune a.csv --search 'layers=a|b' -o b.json")).toEqual({
      args: ['tune', 'a.csv', '--search', 'layers=a|b', '-o', 'b.json'],
      head: undefined,
    });
    expect(plainCommand('autograd predict -m m.json d.csv | head -3')).toEqual({
      args: ['predict', '-m', 'm.json', 'd.csv'],
      head: 3,
    });
    for (const c of ['cat d.csv | autograd train -', 'autograd train - < d.csv', 'autograd train "$X"', 'ls']) {
      expect(plainCommand(c)).toBeUndefined();
    }
  });

  it('run in order, in a scratch folder, and print what the README shows (times aside)', async () => {
    expect([...readme.matchAll(EXAMPLE)].length).toBeGreaterThanOrEqual(6);
    expect(withoutTimes(await runExamples(readme, { inProcess: true }))).toBe(withoutTimes(readme));
  }, 60_000);
});
