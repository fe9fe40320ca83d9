/**
 * How a graph is evaluated: "compiled" lowers it once to a tape replayed on
 * typed arrays (fast); "graph" builds and walks `Value` objects for every row
 * (the readable reference). Both compute the same numbers.
 */
export type Engine = 'compiled' | 'graph';
export const ENGINES: readonly Engine[] = ['compiled', 'graph'];
