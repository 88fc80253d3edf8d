export * from './envelope';
export * from './event-types';
export * from './payloads';
export * from './delivery';
export * from './parse-call-event';
