import { describe, expect, it } from 'vitest';
import { DataError, option, UsageError } from '../src/errors.js';

describe('errors name options as data', () => {
  it("a library message says the option's own name; a CLI words it as its flag", () => {
    const error = new DataError('E_X', `"abc" is not a number (${option('dropInvalid')} skips such rows)`, {
      file: 'd.csv',
      line: 3,
    });
    expect(error.message).toBe('d.csv line 3: "abc" is not a number (dropInvalid skips such rows)');
    expect(error.worded((name) => `--${name.toLowerCase()}`)).toBe(
      'd.csv line 3: "abc" is not a number (--dropinvalid skips such rows)',
    );
  });

  it('a usage error carries the option it concerns', () => {
    const error = new UsageError('E_X', 'has no column "z"', 'target');
    expect([error.option, error.message, error.code]).toEqual(['target', 'has no column "z"', 'E_X']);
  });
});
