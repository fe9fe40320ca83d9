/** One CSV line (without the newline), quoting only the cells that need it (RFC 4180). */
export function csvLine(cells: readonly string[]): string {
  return cells.map(csvCell).join(',');
}

export function csvCell(cell: string): string {
  return /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
}
