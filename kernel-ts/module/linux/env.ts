// What the functions of `vmlab/linux` act on: the kernel and the loaded
// module whose code calls them. makeLinux (index.ts) builds one namespace per
// loaded module from this, so two kernels (or two modules) in one process
// never share state, and rmmod can undo what the module registered.
import type { Kernel } from '../../kernel';
import type { LoadedModule } from '../context';

export interface LinuxEnv {
  readonly kernel: Kernel;
  readonly module: LoadedModule;
}
