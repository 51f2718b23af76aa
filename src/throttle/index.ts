/** Throttle: failed-login counting over the store's narrow ThrottleStore port. */
export { createThrottle, type Admission, type Throttle, type ThrottleEntry, type ThrottlePolicy } from './throttle.js';
