export {
  DEFAULT_TIMEOUT_MS,
  type DoctestOptions,
  doctestPlugin,
  doctestProject,
  openSession,
} from './plugin.js';
