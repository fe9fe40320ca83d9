import type { TrainedModel } from '../train/record.js';

/** The network's input columns: each numeric feature, and each category of a categorical one ("colour=red"). */
export function inputNames(model: TrainedModel): string[] {
  const categories = new Map(model.encoding.map((e) => [e.feature, e.categories]));
  return model.features.flatMap((f) => categories.get(f)?.map((c) => `${f}=${c}`) ?? [f]);
}
