/** Formats a number for people: up to `digits` significant digits, no exponent for ordinary sizes. */
export function formatNumber(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e9)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatSeconds(seconds: number): string {
  return seconds < 10
    ? `${seconds.toFixed(2)} s`
    : seconds < 120
      ? `${seconds.toFixed(1)} s`
      : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
