// Fills every generated block of README.md and docs/*.md: `npm run docs`.
// A block is a comment naming an autograd command, then a fenced block that
// holds exactly what the command prints; or an example, a console block whose
// commands run in order in a scratch folder (docs/examples.js). The tests
// check that they still agree.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runExamples } from './examples.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = `${root}bin/autograd.js`;
export const BLOCK = /<!-- generated: autograd ([^>]*?) -->\n\n```(\w+)\n[\s\S]*?```/g;

export function documents() {
  return [
    `${root}README.md`,
    ...readdirSync(`${root}docs`)
      .filter((f) => f.endsWith('.md'))
      .map((f) => `${root}docs/${f}`),
  ];
}

export function run(args) {
  return execFileSync(process.execPath, [bin, ...args.split(' ')], { encoding: 'utf8' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const path of documents()) {
    const text = readFileSync(path, 'utf8');
    const filled = await runExamples(
      text.replace(
        BLOCK,
        (_, args, lang) => `<!-- generated: autograd ${args} -->\n\n\`\`\`${lang}\n${run(args)}\`\`\``,
      ),
    );
    if (filled !== text) {
      writeFileSync(path, filled);
      console.log(`updated ${path}`);
    }
  }
}
