export { Options, Registration } from './registration.js';
