import { Value } from '../engine/value.js';
import { show } from './render.js';

/** The design notes' example: y = w1·x1 + b1, z = w2·y + b2. */
export interface SeedInputs {
  x1: number;
  w1: number;
  b1: number;
  w2: number;
  b2: number;
}

export const SEED_DEFAULTS: SeedInputs = { x1: 2, w1: -3, b1: 1, w2: 0.5, b2: 4 };

export interface SeedGraph {
  x1: Value;
  w1: Value;
  b1: Value;
  w2: Value;
  b2: Value;
  y: Value;
  z: Value;
}

/** Builds the example in the engine and back-propagates from z: every value and gradient is the engine's. */
export function seedExample(inputs: SeedInputs = SEED_DEFAULTS): SeedGraph {
  const leaf = (name: keyof SeedInputs) => {
    const v = new Value(inputs[name]);
    v.label = name;
    return v;
  };
  const [x1, w1, b1, w2, b2] = [leaf('x1'), leaf('w1'), leaf('b1'), leaf('w2'), leaf('b2')];
  const w1x1 = w1.mul(x1);
  w1x1.label = 'w1·x1';
  const y = w1x1.add(b1);
  y.label = 'y';
  const w2y = w2.mul(y);
  w2y.label = 'w2·y';
  const z = w2y.add(b2);
  z.label = 'z';
  z.backward();
  return { x1, w1, b1, w2, b2, y, z };
}

/**
 * The chain-rule derivation line by line, as the design notes write it, with
 * the numbers: each symbolic product is evaluated from the inputs, and set
 * beside the gradient the engine's `backward()` computed, which must agree.
 */
export function explainSeed(g: SeedGraph): string[] {
  const n = (v: Value | number) => {
    const x = typeof v === 'number' ? v : v.data;
    return x < 0 ? `(${show(x)})` : show(x);
  };
  // dz/d<name> = [chain =] symbolic [= numbers] = the engine's gradient
  const line = (
    name: string,
    chain: string,
    symbolic: string,
    numbers: string | undefined,
    value: number,
    engine: Value,
  ) => {
    const agrees = value === engine.grad ? '' : `   (the formula gives ${show(value)}: they disagree!)`;
    const parts = [chain, symbolic, numbers, show(engine.grad)].filter((p) => p !== undefined && p !== '');
    return `  dz/d${name.padEnd(3)}= ${parts.join(' = ')}${agrees}`;
  };
  const { x1, w1, b1, w2, b2, y, z } = g;
  return [
    'Forward: the values',
    `  y = w1·x1 + b1 = ${n(w1)}·${n(x1)} + ${n(b1)} = ${show(y.data)}`,
    `  z = w2·y + b2 = ${n(w2)}·${n(y)} + ${n(b2)} = ${show(z.data)}`,
    '',
    'Backward: the chain rule, from dz/dz = 1',
    '  an addition forwards the same derivative to each input;',
    '  a multiplication forwards the derivative times the other input.',
    `  dz/dz  = ${show(z.grad)}`,
    line('w2', '', 'y', undefined, y.data, w2),
    line('b2', '', '', undefined, 1, b2),
    line('y', '', 'w2', undefined, w2.data, y),
    line('w1', 'dz/dy · dy/dw1', 'w2 · x1', `${n(w2)} · ${n(x1)}`, w2.data * x1.data, w1),
    line('b1', 'dz/dy · dy/db1', 'w2', undefined, w2.data, b1),
    line('x1', 'dz/dy · dy/dx1', 'w2 · w1', `${n(w2)} · ${n(w1)}`, w2.data * w1.data, x1),
    '',
    'Every gradient above is the one the engine left in .grad after z.backward();',
    "each middle expression is the design notes' formula, evaluated from the inputs.",
  ];
}
