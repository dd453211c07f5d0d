/**
 * Where the managers report: `warn` is required, `info` and `debug` are
 * optional (the provisioners take the same shape).
 */
export interface ManagerLogger {
  warn(message: string): void;
  info?(message: string): void;
  debug?(message: string): void;
}

/** Warnings to `console.warn`; nothing else. */
export const defaultLogger: ManagerLogger = {
  warn: (message) => console.warn(message),
};
