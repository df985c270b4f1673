// Placeholder: the kernel object lands with kernel-ts/proc.
export interface Kernel {
  readonly booted: boolean;
}
