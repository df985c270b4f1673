// Placeholder: the task (process) structure lands with kernel-ts/proc.
export interface Task {
  pid: number;
  comm: string;
}
