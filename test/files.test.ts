import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
  lstatSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../src/errors.js';
import { checkWritable, sameFile, writeFileAtomic } from '../src/files.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'autograd-'));

describe('checkWritable', () => {
  it('refuses early when the folder is missing or the path is a folder', async () => {
    await expect(checkWritable('/nonexistent-dir/m.json')).rejects.toThrow(DataError);
    await expect(checkWritable('/nonexistent-dir/m.json')).rejects.toThrow('cannot write: its folder does not exist');
    await expect(checkWritable(tmpdir())).rejects.toThrow('cannot write: is a directory');
  });
});

describe('writeFileAtomic', () => {
  it('replaces an existing file whole, leaving no temporary file', async () => {
    const dir = scratch();
    const path = join(dir, 'm.json');
    writeFileSync(path, 'old');
    await checkWritable(path);
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['m.json']);
  });

  it("keeps an existing file's permissions", async () => {
    const dir = scratch();
    const path = join(dir, 'm.json');
    writeFileSync(path, 'old');
    chmodSync(path, 0o640);
    await writeFileAtomic(path, 'new');
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('writes through a symbolic link to its target, and the link stays a link', async () => {
    const dir = scratch();
    const target = join(dir, 'real.json');
    const link = join(dir, 'link.json');
    writeFileSync(target, 'old');
    symlinkSync('real.json', link);
    await writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new');
  });
});

describe('sameFile', () => {
  it('sees one file under two names (a link), and tells different or missing files apart', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'a.csv'), 'x');
    writeFileSync(join(dir, 'b.csv'), 'x');
    symlinkSync('a.csv', join(dir, 'l.csv'));
    expect(await sameFile(join(dir, 'a.csv'), join(dir, 'l.csv'))).toBe(true);
    expect(await sameFile(join(dir, 'a.csv'), join(dir, '.', 'a.csv'))).toBe(true);
    expect(await sameFile(join(dir, 'a.csv'), join(dir, 'b.csv'))).toBe(false);
    expect(await sameFile(join(dir, 'a.csv'), join(dir, 'none.csv'))).toBe(false);
  });
});
