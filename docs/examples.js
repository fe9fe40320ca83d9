// The README's examples, run as a reader runs them: in order, in a scratch
// folder that holds a copy of data/, with `autograd` on the PATH. Each example
// is a console block after an `<!-- example -->` comment; `npm run docs`
// writes what its commands print under them, and a test checks that they
// still print it (the times aside, which differ from run to run).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export const EXAMPLE = /<!-- example -->\n\n```console\n([\s\S]*?)```/g;

/** The commands of an example block: its lines that start with "$ ". */
export function commandsOf(block) {
  return block
    .split('\n')
    .filter((line) => line.startsWith('$ '))
    .map((line) => line.slice(2));
}

/** `text` with every example block's output as its commands print it now. */
export function runExamples(text) {
  const scratch = mkdtempSync(join(tmpdir(), 'autograd-readme-'));
  try {
    cpSync(join(root, 'data'), join(scratch, 'data'), { recursive: true });
    const bin = join(scratch, '.bin');
    mkdirSync(bin);
    symlinkSync(join(root, 'bin', 'autograd.js'), join(bin, 'autograd'));
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', FORCE_COLOR: '' };
    return text.replace(EXAMPLE, (_, block) => {
      let out = '';
      for (const command of commandsOf(block)) {
        out += `$ ${command}\n`;
        try {
          out += execFileSync('bash', ['-o', 'pipefail', '-c', `${command} 2>&1`], {
            cwd: scratch,
            env,
            encoding: 'utf8',
          });
        } catch (error) {
          // An example may show a refusal; what it printed is the point.
          if (typeof error.stdout !== 'string') throw error;
          out += error.stdout;
        }
      }
      return `<!-- example -->\n\n\`\`\`console\n${out}\`\`\``;
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Times and rates vary from run to run; everything else an example prints must not. */
export function withoutTimes(text) {
  return text.replace(/ in [\d.]+ (s|min \d+ s)( \([\d,]+ rows\/s\))?/g, ' in … s');
}
