// Placeholder: the memaccess driver is being written (issue 5); until then insmod memaccess fails with -ENODEV.
import type { KernelModule } from '../module/api';

const mod: KernelModule = {
  name: 'memaccess',
  description: 'not built yet',
  init: () => -19,
};
export default mod;
