/** How the learning rate changes from epoch to epoch (as PyTorch's StepLR and CosineAnnealingLR). */
import { DEFAULTS, scheduleSettings, type ScheduleName } from './settings.js';

export { SCHEDULES, type ScheduleName } from './settings.js';

export interface ScheduleSettings {
  name: ScheduleName;
  /** "step": multiply by `gamma` every `stepSize` epochs. Defaults 10 and 0.1. */
  stepSize: number;
  gamma: number;
  /** "cosine": fall from the learning rate to `minLr` over the run's epochs. Default 0. */
  minLr: number;
}

export const SCHEDULE_DEFAULTS: ScheduleSettings = scheduleSettings(DEFAULTS);

/** The learning rate for the epoch after `done` epochs of `total`. */
export function learningRateAt(base: number, schedule: ScheduleSettings, done: number, total: number): number {
  switch (schedule.name) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.gamma ** Math.floor(done / schedule.stepSize);
    case 'cosine':
      return schedule.minLr + ((base - schedule.minLr) * (1 + Math.cos((Math.PI * done) / total))) / 2;
  }
}
