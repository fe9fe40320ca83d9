import { randomBytes } from 'node:crypto';
import { constants, rmSync } from 'node:fs';
import { access, chmod, chown, lstat, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError } from './errors.js';

/**
 * Writes to a temporary file beside the target, then renames it into place,
 * so a reader (or an interrupted run) never sees half a file. An existing
 * file keeps its permissions, and a symbolic link keeps pointing where it
 * did: the file it points to is the one replaced.
 */
export async function writeFileAtomic(path: string, text: string | Uint8Array): Promise<void> {
  const target = await followLinks(path);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  pendingWrites.add(temp);
  try {
    const existing = await stat(target).catch(() => undefined);
    await writeFile(temp, text, { flag: 'wx' });
    if (existing) {
      await chmod(temp, existing.mode & 0o7777);
      if (process.getuid?.() === 0) await chown(temp, existing.uid, existing.gid);
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw writeError(path, error);
  } finally {
    pendingWrites.delete(temp);
  }
}

/** The path a chain of symbolic links ends at (the path itself when it is not a link). */
async function followLinks(path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    const info = await lstat(current).catch(() => undefined);
    if (!info?.isSymbolicLink()) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  return current;
}

/** Temporary files of writes under way, so that a hard stop can remove them. */
const pendingWrites = new Set<string>();

/** Removes the temporary files of unfinished writes, at once (for a process about to exit). */
export function abandonPendingWrites(): void {
  for (const temp of pendingWrites) rmSync(temp, { force: true });
  pendingWrites.clear();
}

/** Fails early, before a long run, when `path` could not be written at the end. */
export async function checkWritable(path: string): Promise<void> {
  try {
    const target = await followLinks(path);
    const info = await stat(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    await access(dirname(target) || '.', constants.W_OK);
  } catch (error) {
    throw writeError(path, error);
  }
}

/** Whether two paths name the same existing file (through links, or by different names). */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return x !== undefined && y !== undefined && x.dev === y.dev && x.ino === y.ino;
}

function writeError(path: string, error: unknown): DataError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'its folder does not exist'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory'
          : (error as Error).message;
  return new DataError('E_WRITE', `cannot write: ${reason}`, { file: path });
}
