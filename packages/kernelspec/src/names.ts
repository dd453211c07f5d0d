import { InvalidKernelNameError } from "./errors.js";

const KERNEL_NAME = /^[a-z0-9._-]+$/i;

/** The rule for kernel names, in Python's words. */
export const KERNEL_NAME_DESCRIPTION =
  "Kernel names can only contain ASCII letters and numbers and these separators: - . _ (hyphen, period, and underscore).";

/**
 * Whether `name` is a valid kernel name: ASCII letters, digits, `-`, `.`, `_`
 * (any case), and not `.` or `..`, which Python's pattern lets through but
 * which would name the kernels directory or its parent.
 *
 * @example
 * isValidKernelName("python3"); // true
 * isValidKernelName("my kernel"); // false
 */
export function isValidKernelName(name: string): boolean {
  return KERNEL_NAME.test(name) && name !== "." && name !== "..";
}

function suggestion(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "");
  return cleaned === "" ? "my-kernel" : cleaned;
}

/** Throws {@link InvalidKernelNameError} unless `name` may become a directory name. */
export function assertValidKernelName(name: string): void {
  if (isValidKernelName(name)) return;
  throw new InvalidKernelNameError(
    name,
    `invalid kernel name '${name}': ${KERNEL_NAME_DESCRIPTION} '.' and '..' are not names; try '${suggestion(name)}'`,
  );
}

/**
 * Throws {@link InvalidKernelNameError} for names that could never be a
 * kernelspec directory (path separators, NUL, `.`, `..`). Other names that
 * break the naming rule are still looked up, as Python does, since such
 * directories exist in the wild and are listed with a warning.
 */
export function assertLookupName(name: string): void {
  if (name === "" || name === "." || name === ".." || /[\\/\0]/.test(name)) {
    throw new InvalidKernelNameError(name, `invalid kernel name '${name}': a kernel name is a directory name, not a path. ${KERNEL_NAME_DESCRIPTION}`);
  }
}
