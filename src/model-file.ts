import { readFile } from 'node:fs/promises';
import type { ColumnStats } from './data/normalize.js';
import { fileError } from './data/source.js';
import { ModelFileError } from './errors.js';
import { writeFileAtomic } from './files.js';
import { MODEL_FIELDS, readModel, type TrainedModel } from './train/record.js';

export const MODEL_FORMAT = 'autograd-mlp';
export const MODEL_VERSION = 1;

/** The model as the JSON text of a version-1 model file (same model, same bytes). */
export function serializeModel(model: TrainedModel): string {
  const file: Record<string, unknown> = { format: MODEL_FORMAT, version: MODEL_VERSION };
  for (const name of Object.keys(MODEL_FIELDS) as (keyof TrainedModel)[]) file[name] = model[name];
  // Only the keys the format has, in its order, whatever else the objects carry.
  const stats = ({ mean, std }: ColumnStats) => ({ mean, std });
  const n = model.normalization;
  file.normalization = n && { features: stats(n.features), targets: stats(n.targets) };
  file.parameters = model.parameters.map(({ weights, biases }) => ({ weights, biases }));
  return `${formatJson(file, '')}\n`;
}

export async function saveModel(path: string, model: TrainedModel): Promise<void> {
  await writeFileAtomic(path, serializeModel(model));
}

export async function loadModel(path: string): Promise<TrainedModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fileError(path, error);
  }
  return parseModel(text, path);
}

/** Parses and validates a model file; every problem is named, with where it is. */
export function parseModel(text: string, file = 'model'): TrainedModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError('E_MODEL_JSON', file, `is not a model file: not valid JSON (${(error as Error).message})`);
  }
  const fail = (message: string): never => {
    throw new ModelFileError('E_MODEL_INVALID', file, message);
  };
  if (!isObject(json) || json.format !== MODEL_FORMAT) {
    throw new ModelFileError(
      'E_MODEL_FORMAT',
      file,
      `is not an autograd model file (expected "format": "${MODEL_FORMAT}")`,
    );
  }
  if (json.version !== MODEL_VERSION) {
    throw new ModelFileError(
      'E_MODEL_VERSION',
      file,
      `model file version ${JSON.stringify(json.version)} is not supported; this autograd reads version ${MODEL_VERSION}`,
    );
  }
  return readModel(json, fail);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** JSON with two-space indentation, but arrays of plain values kept on one line. */
function formatJson(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object'))
      return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (isObject(value)) {
    const inner = indent + '  ';
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
