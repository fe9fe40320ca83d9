// The README's examples, run as a reader runs them: in order, in a scratch
// folder that holds a copy of data/, with `autograd` on the PATH. Each example
// is a console block after an `<!-- example -->` comment; `npm run docs`
// writes what its commands print under them, and a test checks that they
// still print it (the times aside, which differ from run to run). For the
// test, a plain `autograd …` command may run in this process (as `main`, with
// its own streams), which is quicker than starting Node; `npm run docs` runs
// each as a reader would, so the times it writes are a real command's.
import { execFileSync } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
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
export async function runExamples(text, { inProcess: quick = false } = {}) {
  const { main } = await import(`${root}dist/cli/main.js`);
  const scratch = mkdtempSync(join(tmpdir(), 'autograd-readme-'));
  const previous = process.cwd();
  try {
    cpSync(join(root, 'data'), join(scratch, 'data'), { recursive: true });
    const bin = join(scratch, '.bin');
    mkdirSync(bin);
    symlinkSync(join(root, 'bin', 'autograd.js'), join(bin, 'autograd'));
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', FORCE_COLOR: '' };
    process.chdir(scratch);
    let filled = '';
    let last = 0;
    for (const match of text.matchAll(EXAMPLE)) {
      let out = '';
      for (const command of commandsOf(match[1])) {
        const plain = quick ? plainCommand(command) : undefined;
        out += `$ ${command}\n${plain ? await inProcess(main, plain) : inBash(command, env)}`;
      }
      filled += `${text.slice(last, match.index)}<!-- example -->\n\n\`\`\`console\n${out}\`\`\``;
      last = match.index + match[0].length;
    }
    return filled + text.slice(last);
  } finally {
    process.chdir(previous);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * A command that can run in this process: `autograd` and its words (some in
 * single quotes), perhaps piped to `head -N`. Anything else is left to bash.
 */
export function plainCommand(command) {
  const m = /^autograd ((?:[^|<>'"$\\]|'[^']*')*?)(?: \| head -(\d+))?$/.exec(command);
  if (!m) return undefined;
  return { args: [...m[1].matchAll(/'([^']*)'|(\S+)/g)].map((w) => w[1] ?? w[2]), head: m[2] && Number(m[2]) };
}

/**
 * What the command prints: stdout and stderr together as a terminal shows them;
 * piped to head, the first lines of stdout alone (stderr is not in the pipe).
 */
async function inProcess(main, { args, head }) {
  let out = '';
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  const stderr = head ? new Writable({ write: (_chunk, _encoding, done) => done() }) : stdout;
  await main(args, { stdin: Readable.from([]), stdout, stderr, env: { NO_COLOR: '1' } });
  if (!head) return out;
  const lines = out.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines
    .slice(0, head)
    .map((line) => `${line}\n`)
    .join('');
}

function inBash(command, env) {
  try {
    return execFileSync('bash', ['-o', 'pipefail', '-c', `${command} 2>&1`], {
      cwd: process.cwd(),
      env,
      encoding: 'utf8',
    });
  } catch (error) {
    // An example may show a refusal; what it printed is the point.
    if (typeof error.stdout !== 'string') throw error;
    return error.stdout;
  }
}

/** Times and rates vary from run to run; everything else an example prints must not. */
export function withoutTimes(text) {
  return text.replace(/ in [\d.]+ (s|min \d+ s)( \([\d,]+ rows\/s\))?/g, ' in … s');
}
