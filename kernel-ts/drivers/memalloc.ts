// Placeholder: the memalloc driver is being written (issue 5); until then insmod memalloc fails with -ENODEV.
import type { KernelModule } from '../module/api';

const mod: KernelModule = {
  name: 'memalloc',
  description: 'not built yet',
  init: () => -19,
};
export default mod;
