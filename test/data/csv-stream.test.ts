import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv, readCsv } from '../../src/data/csv.js';
import { AutogradError } from '../../src/errors.js';

/** Reads `text` through the streaming reader, its UTF-8 bytes cut at the given places. */
async function streamed(text: string, cuts: number[]) {
  const bytes = Buffer.from(text);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  async function* source() {
    let last = 0;
    for (const p of [...points, bytes.length]) {
      yield bytes.subarray(last, p);
      last = p;
    }
  }
  let header: string[] | undefined;
  let delimiter: string | undefined;
  const records: string[][] = [];
  const lines: number[] = [];
  for await (const batch of readCsv(source(), 'd.csv')) {
    header ??= batch.header;
    delimiter ??= batch.delimiter;
    records.push(...batch.records);
    lines.push(...batch.lines);
  }
  return { file: 'd.csv', header, records, lines, delimiter };
}

async function outcome(run: () => unknown) {
  try {
    return { ok: await run() };
  } catch (error) {
    if (!(error instanceof AutogradError)) throw error; // only our typed errors may escape
    return { error: error.message };
  }
}

const csvish = fc.stringMatching(/^[a-c1-3 ,;"\n\r\t.é-]{0,60}$/);

describe('reading CSV from a stream', () => {
  it('gives what reading it whole gives, however the bytes are cut', async () => {
    await fc.assert(
      fc.asyncProperty(csvish, fc.array(fc.nat(), { maxLength: 4 }), async (text, cuts) => {
        const whole = await outcome(() => parseCsv({ name: 'd.csv', text }));
        const parts = await outcome(() => streamed(text, cuts));
        expect(parts).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('splits a multi-byte character across chunks correctly', async () => {
    const text = 'name,y\nzoë,1\n';
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(0xc3) + 1; // inside "ë"
    async function* source() {
      yield bytes.subarray(0, cut);
      yield bytes.subarray(cut);
    }
    const records: string[][] = [];
    for await (const batch of readCsv(source(), 'd.csv')) records.push(...batch.records);
    expect(records).toEqual([['zoë', '1']]);
  });
});

describe('fuzzing the CSV reader', () => {
  it('random text: parses or throws our typed error, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseCsv({ name: 'f.csv', text });
        } catch (error) {
          expect(error).toBeInstanceOf(AutogradError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('random bytes: the same', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        async function* source() {
          yield Buffer.from(bytes);
        }
        try {
          for await (const batch of readCsv(source(), 'f.csv')) expect(batch.header.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(AutogradError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
