// Words for messages: every message stays one short line, whatever the data holds.

/** "1 row", "2 rows". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`;
}

/** "a, b, c" — or "a, b, c, … and 17 more" past `max` items, each cut to a readable length. */
export function listOf(items: readonly string[], max = 6): string {
  const shown = items.slice(0, max).map((item) => cut(item, 30));
  return items.length > max ? `${shown.join(', ')}, … and ${items.length - max} more` : shown.join(', ');
}

/** A cell as messages echo it: quoted, control characters escaped, at most `max` characters of it. */
export function quote(cell: string, max = 40): string {
  return JSON.stringify(cut(cell, max));
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
