import type { UserWorkspaceConfig } from "vitest/config";

export interface ProjectOptions {
  testTimeout?: number;
  environment?: string;
  include?: string[];
  [key: string]: unknown;
}

export declare function packageProject(name: string, options?: ProjectOptions): UserWorkspaceConfig;
