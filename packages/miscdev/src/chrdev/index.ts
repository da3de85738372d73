export { Registration } from './registration.js';
